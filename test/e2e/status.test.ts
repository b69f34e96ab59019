// status, built CLI, against the local control plane (real objects, real RBAC, real CRDs)
// and a real OpenID provider over TLS for the JWKS checks.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyManifests, createAgentPods, freshNamespace, startCluster, type Cluster } from '../cluster/harness.ts';
import { accessLogTelemetry, chartObjects } from '../support/chart.js';
import { runCli } from '../support/cli.js';
import { AUDIENCE, type OidcServer } from '../support/oidc.js';
import { oidcFixture, type OidcFixture } from '../support/oidc-fixture.js';

const c = inject('cluster');
let fx: OidcFixture;
let dir: string;
let caFile: string;
let oidc: OidcServer;
let bare: Cluster;

beforeAll(async () => {
  fx = await oidcFixture('status', 'status-key');
  ({ dir, caFile, oidc } = fx);
  bare = await startCluster({ istioCrds: false });
}, 120_000);

afterAll(async () => {
  await bare?.stop();
  await fx?.close();
});

const status = (args: string[], kubeconfig = c.adminKubeconfig, env: NodeJS.ProcessEnv = {}) =>
  runCli(['status', '--kubeconfig', kubeconfig, '--ca-file', caFile, ...args], { env });

/** A namespace with the chart layout, access logs on, and two agent pods. */
function scenario(opts: { without?: string[]; issuer?: string; jwksUri?: string; extra?: (ns: string) => object[]; pods?: Array<{ name: string; sidecar?: boolean }> } = {}): string {
  const ns = freshNamespace(c, 'status');
  const objs = [
    ...chartObjects({ namespace: ns, issuer: opts.issuer ?? oidc.issuer, audiences: [AUDIENCE], ...(opts.jwksUri ? { jwksUri: opts.jwksUri } : { jwksUri: `${oidc.issuer}/jwks` }), ...(opts.without ? { without: opts.without } : {}) }),
    accessLogTelemetry(ns),
    ...(opts.extra?.(ns) ?? []),
  ];
  applyManifests(c, objs);
  createAgentPods(c, (opts.pods ?? [{ name: 'bot-0' }, { name: 'bot-1' }]).map((p) => ({ namespace: ns, agent: 'bot', name: p.name, sidecar: p.sidecar ?? true })));
  return ns;
}
const codesOf = (j: { findings: Array<{ code: string }> }) => j.findings.map((f) => f.code);

describe('status on a real cluster', () => {
  it('the chart layout against a reachable provider: no findings, exit 0, the JSON contract', async () => {
    const ns = scenario();
    const r = await status(['-n', ns, '-o', 'json']);
    const j = r.json();
    expect(r.code).toBe(0);
    expect(j.findings).toEqual([]);
    expect(j.requestAuthentications).toEqual([expect.objectContaining({ namespace: ns, name: 'omnia-agent-jwt', apiVersion: 'security.istio.io/v1', pods: [`${ns}/bot-0`, `${ns}/bot-1`] })]);
    expect(j.authorizationPolicies.map((p: any) => p.name).sort()).toEqual(['omnia-agent-deny-unauthenticated', 'omnia-agent-require-jwt']);
    expect(j.workloads.map((w: any) => [w.name, w.sidecar, w.accessLogging])).toEqual([['bot-0', true, true], ['bot-1', true, true]]);
    expect(j.jwks).toEqual([expect.objectContaining({ issuer: oidc.issuer, discovery: expect.objectContaining({ ok: true }), jwks: expect.objectContaining({ ok: true, keys: 1 }) })]);
  });

  it('human output reads the policies in words and ends with the findings', async () => {
    const ns = scenario();
    const r = await status(['-n', ns]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DENY when the request has no principal, except /healthz, /readyz');
    expect(r.stdout).toContain('ALLOW with a principal and scope in {agents:access}');
    expect(r.stdout).toContain('no problems found');
  });

  it.each([
    ['OA0002', { pods: [{ name: 'bot-0' }, { name: 'bot-plain', sidecar: false }] }],
    ['OA0003', { without: ['AuthorizationPolicy'] }],
    ['OA0004', { without: ['RequestAuthentication'] }],
    ['OA0005', { extra: (ns: string) => [{ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'old-agent-jwt', namespace: ns }, spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agnet' } }, jwtRules: [{ issuer: 'https://other.example', audiences: ['a'] }] } }] }],
    ['OA0006', { extra: (ns: string) => [{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'omnia-require-jwt', namespace: ns }, spec: { selector: { matchLabels: { app: 'omnia-agent' } }, rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] } }] }],
    ['OA0007', { jwksUri: 'http://127.0.0.1:1/jwks' }],
    ['OA0008', { issuer: 'ISSUER/' }],
    ['OA0009', { jwksUri: 'ISSUER/.well-known/jwks.json' }],
    ['OA0010', { without: ['EnvoyFilter'] }],
    ['OA0011', { extra: (ns: string) => [{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'omnia-agent-deny-unauthenticated', namespace: ns }, spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agent' } }, action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPaths: ['/healthz'] } }] }] } }] }],
    ['OA0012', { extra: (ns: string) => [{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'omnia-agent-scopes', namespace: ns }, spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agent' } }, action: 'DENY', rules: [{ when: [{ key: 'request.auth.claims[scope]', notValues: ['openid agents:access'] }] }] } }] }],
    ['OA0015', { extra: (ns: string) => [{ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'omnia-jwt-auth', namespace: ns }, spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agent' } }, jwtRules: [{ issuer: 'ISSUER', audiences: ['x'], jwksUri: 'ISSUER/jwks' }] } }] }],
  ] as Array<[string, Parameters<typeof scenario>[0]]>)('%s raised by real objects', async (code, opts) => {
    const fix = (v: unknown): any => JSON.parse(JSON.stringify(v ?? null).replaceAll('ISSUER', oidc.issuer));
    const o = { ...opts } as any;
    if (o.issuer) o.issuer = fix(o.issuer);
    if (o.jwksUri) o.jwksUri = fix(o.jwksUri);
    if (o.extra) { const e = o.extra; o.extra = (ns: string) => fix(e(ns)); }
    const ns = scenario(o);
    const r = await status(['-n', ns, '-o', 'json', '--fail-on', 'warning', '--timeout', '2s']);
    const j = r.json();
    expect(codesOf(j)).toContain(code);
    expect(r.code).toBe(1);
    const f = j.findings.find((x: any) => x.code === code);
    expect(f.remedy.length).toBeGreaterThan(10);
    expect(['error', 'warning']).toContain(f.severity);
  });

  it('-A lists every kind once: the same requests whatever the number of pods', async () => {
    const r = await status(['-A', '-o', 'json', '--no-check-jwks', '--fail-on', 'none'], c.adminKubeconfig, { OMNIA_AUTH_DEBUG: 'http' });
    expect(r.code).toBe(0);
    const requests = r.stderr.split('\n').filter((l) => l.startsWith('[http] '));
    expect(requests.map((l) => l.split(' ')[2]!.split('?')[0])).toEqual(expect.arrayContaining([
      '/apis/security.istio.io/v1/requestauthentications', '/apis/security.istio.io/v1/authorizationpolicies',
      '/apis/networking.istio.io/v1alpha3/envoyfilters', '/apis/telemetry.istio.io/v1/telemetries', '/api/v1/pods',
    ]));
    expect(requests).toHaveLength(6); // + the istio ConfigMap
    expect(r.json().workloads.length).toBeGreaterThan(10);
  });

  it('the restricted user: forbidden reads become info findings naming verb and resource', async () => {
    const r = await status(['-n', 'default', '-o', 'json'], c.restrictedKubeconfig);
    const j = r.json();
    expect(r.code).toBe(0);
    const forbidden = j.findings.filter((f: any) => f.code === 'OA0017');
    expect(forbidden.map((f: any) => f.message)).toEqual(expect.arrayContaining([
      'cannot list requestauthentications.security.istio.io in default: forbidden for this user; the report is partial',
      'cannot list pods in default: forbidden for this user; the report is partial',
    ]));
    expect(forbidden.every((f: any) => f.severity === 'info')).toBe(true);
  });

  it('an apiserver without the Istio CRDs: OA0001, exit 1', async () => {
    const r = await runCli(['status', '--kubeconfig', bare.adminKubeconfig, '-n', 'default', '-o', 'json']);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j.findings[0]).toMatchObject({ code: 'OA0001', severity: 'error' });
    expect(j.findings[0].message).toContain('requestauthentications.security.istio.io');
  });

  it('an unreachable server: exit 3 with a message and what to try, no stack trace', async () => {
    const r = await runCli(['status', '--kubeconfig', c.unreachableKubeconfig, '--request-timeout', '3s']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(r.stderr).toContain('Try this:');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('an unreachable server under -o json: exit 3 and a JSON error', async () => {
    const r = await runCli(['status', '--kubeconfig', c.unreachableKubeconfig, '-o', 'json']);
    expect(r.code).toBe(3);
    expect(r.json().error).toMatchObject({ code: 'unreachable' });
  });

  it('credentials the API server rejects (401): exit 3, saying so', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { parse, stringify } = await import('yaml');
    const kc = parse(readFileSync(c.adminKubeconfig, 'utf8'));
    kc.users[0].user = { token: 'not-a-valid-token' };
    const f = join(dir, 'bad-token.kubeconfig');
    writeFileSync(f, stringify(kc));
    const r = await runCli(['status', '--kubeconfig', f, '-n', 'default']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('rejected the credentials (401 Unauthorized)');
    expect(r.stderr).not.toContain('not-a-valid-token');
  });

  it('a context that does not exist: exit 3, listing the contexts there are', async () => {
    const r = await runCli(['status', '--kubeconfig', c.adminKubeconfig, '--context', 'nope']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('context "nope" not found');
    expect(r.stderr).toContain('Available contexts: omnia-admin');
  });

  it('-f analyses manifests offline, kubectl get -o yaml output included', async () => {
    const ns = scenario({ without: ['EnvoyFilter'] });
    const yaml = execFileSync(c.binaries.kubectl, ['--kubeconfig', c.adminKubeconfig, '-n', ns, 'get', 'requestauthentications,authorizationpolicies,pods', '-o', 'yaml'], { encoding: 'utf8' });
    const r = await runCli(['status', '-f', '-', '-o', 'json'], { input: yaml });
    const j = r.json();
    expect(r.code).toBe(0); // OA0010 is a warning
    expect(codesOf(j)).toContain('OA0010');
    expect(j.workloads).toHaveLength(2);
  });
});
