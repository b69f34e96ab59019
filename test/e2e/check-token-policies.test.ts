// check-token --agent: the whole Istio decision from the policies applied to the local
// control plane, with tokens issued by a real OpenID provider over TLS.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyManifests, createAgentPods, freshNamespace } from '../cluster/harness.ts';
import { chartObjects } from '../support/chart.js';
import { runCli } from '../support/cli.js';
import { AUDIENCE, NO_SUB_CLIENT_ID, type OidcServer } from '../support/oidc.js';
import { oidcFixture, type OidcFixture } from '../support/oidc-fixture.js';

const c = inject('cluster');
let fx: OidcFixture;
let dir: string;
let caFile: string;
let oidc: OidcServer;
let ns: string;

beforeAll(async () => {
  fx = await oidcFixture('ctp', 'policy-key');
  ({ dir, caFile, oidc } = fx);
  ns = freshNamespace(c, 'ctp');
  applyManifests(c, chartObjects({ namespace: ns, issuer: oidc.issuer, jwksUri: `${oidc.issuer}/jwks`, audiences: [AUDIENCE] }));
  createAgentPods(c, [{ namespace: ns, agent: 'support-bot', name: 'support-bot-0' }, { namespace: ns, agent: 'plain', name: 'plain-0', sidecar: false }]);
}, 120_000);

afterAll(() => fx?.close());

const check = (args: string[]) => runCli(['check-token', ...args, '--kubeconfig', c.adminKubeconfig, '-n', ns, '--agent', 'support-bot', '--ca-file', caFile, '-o', 'json']);

describe('check-token --agent against the real policies', () => {
  it('a token from the provider with the required scope: allowed by rule 1, claim header for the agent', async () => {
    const r = await check([await oidc.token({ scope: 'agents:access' }), '--path', '/ws']);
    const j = r.json();
    expect(r.code).toBe(0);
    expect(j).toMatchObject({ allowed: true, httpStatus: 200, jwtStatus: 'OK', authorizationForwarded: true });
    expect(j.decision).toMatchObject({ stage: 'authorization', action: 'ALLOW', policy: `${ns}/omnia-agent-require-jwt`, rule: 1 });
    expect(j.upstreamHeaders['x-user-id']).toBeTruthy();
    expect(j.request.workload).toBe(`${ns}/support-bot-0`);
  });

  it('no token on /ws: 403 by the DENY policy', async () => {
    const r = await check(['--no-token', '--path', '/ws']);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j).toMatchObject({ allowed: false, httpStatus: 403, body: 'RBAC: access denied', jwtStatus: 'Jwt is missing' });
    expect(j.decision).toMatchObject({ action: 'DENY', policy: `${ns}/omnia-agent-deny-unauthenticated`, rule: 0 });
  });

  it('no token on /healthz: allowed', async () => {
    const r = await check(['--no-token', '--path', '/healthz']);
    expect(r.code).toBe(0);
    expect(r.json().decision).toMatchObject({ action: 'ALLOW', rule: 0 });
  });

  it('a valid token without sub: 403, and the subject check says why', async () => {
    const r = await check([await oidc.token({ clientId: NO_SUB_CLIENT_ID }), '--path', '/ws']);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j).toMatchObject({ httpStatus: 403, jwtStatus: 'OK' });
    expect(j.token.claims.sub).toBeUndefined();
    expect(j.checks.find((x: any) => x.id === 'subject').status).toBe('warn');
  });

  it('the required scope missing: 403, no ALLOW rule matched, naming what rule 1 needs', async () => {
    const r = await check([await oidc.token({ scope: 'openid profile' }), '--path', '/ws']);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j).toMatchObject({ httpStatus: 403, responseCodeDetails: 'rbac_access_denied_matched_policy[none]' });
    expect(j.decision.summary).toContain('rule 1 needs request.auth.claims[scope] in {agents:access}');
  });

  it('a token of another issuer: 401 Jwt issuer is not configured', async () => {
    // An issuer mismatch needs only a token whose iss differs (the signature is never reached).
    const token = await oidc.token();
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.iss = 'https://evil.example.com';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const r = await check([forged]);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ httpStatus: 401, jwtStatus: 'Jwt issuer is not configured' });
  });

  it('a token for another audience: 403 from jwt_authn, not RBAC', async () => {
    const r = await check([await oidc.token({ resource: 'https://other-api.example.com' })]);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j).toMatchObject({ httpStatus: 403, jwtStatus: 'Audiences in Jwt are not allowed', body: 'Audiences in Jwt are not allowed' });
    expect(j.decision.stage).toBe('jwt');
  });

  it('a CORS preflight from a browser: 403 by the DENY policy although jwt_authn skips it', async () => {
    const r = await check(['--no-token', '--method', 'OPTIONS', '--origin', 'https://app.example.com', '--path', '/ws']);
    expect(r.code).toBe(1);
    expect(r.json().decision.action).toBe('DENY');
  });

  it('human output: the verdict line names the ALLOW policy and what rule 1 needs, with a trace', async () => {
    const r = await runCli(['check-token', await oidc.token({ scope: 'openid profile' }), '--kubeconfig', c.adminKubeconfig, '-n', ns, '--agent', 'support-bot', '--ca-file', caFile, '--path', '/ws']);
    const last = r.stdout.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^Istio would answer 403 RBAC: access denied: no rule of ALLOW policy .*omnia-agent-require-jwt matched; .*rule 1 needs request\.auth\.claims\[scope\] in \{agents:access\}/);
    expect(r.stdout).toContain('POLICY');
    expect(r.stdout).toContain('WHY NOT');
  });

  it('a pod without sidecar: Istio enforces nothing there, and check-token says so', async () => {
    const r = await runCli(['check-token', '--no-token', '--kubeconfig', c.adminKubeconfig, '-n', ns, '--agent', 'plain', '-o', 'json']);
    const j = r.json();
    expect(j.checks.find((x: any) => x.id === 'sidecar').status).toBe('fail');
  });

  it('an agent that does not exist: exit 1 with what to try', async () => {
    const r = await runCli(['check-token', '--no-token', '--kubeconfig', c.adminKubeconfig, '-n', ns, '--agent', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no target pod');
  });

  it('offline with -f: the same verdicts from manifests (kubectl get -o yaml)', async () => {
    const { execFileSync } = await import('node:child_process');
    const yaml = execFileSync(c.binaries.kubectl, ['--kubeconfig', c.adminKubeconfig, '-n', ns, 'get', 'requestauthentications,authorizationpolicies,pods', '-o', 'yaml'], { encoding: 'utf8' });
    const f = join(dir, 'all.yaml');
    (await import('node:fs')).writeFileSync(f, yaml);
    const r = await runCli(['check-token', '--no-token', '-f', f, '--agent', 'support-bot', '--path', '/ws', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(r.json().decision).toMatchObject({ action: 'DENY', policy: `${ns}/omnia-agent-deny-unauthenticated` });
  });
});
