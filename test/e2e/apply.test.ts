// apply, built CLI, on the local control plane: server-side apply with real field managers,
// real CEL validation, real conflicts; the JWKS preflight against a real OpenID provider.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyManifests, freshNamespace, kubectlSync } from '../cluster/harness.ts';
import { runCli } from '../support/cli.js';
import { AUDIENCE, type OidcServer } from '../support/oidc.js';
import { oidcFixture, type OidcFixture } from '../support/oidc-fixture.js';

const c = inject('cluster');
let fx: OidcFixture;
let caFile: string;
let oidc: OidcServer;

beforeAll(async () => {
  fx = await oidcFixture('apply', 'apply-key');
  ({ caFile, oidc } = fx);
});
afterAll(() => fx?.close());

const kubectl = (args: string[], input?: string) => kubectlSync(c.binaries.kubectl, c.adminKubeconfig, args, input);
const applyCli = (ns: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runCli(['apply', '--kubeconfig', c.adminKubeconfig, '-n', ns, '--issuer', oidc.issuer, '--audience', AUDIENCE, '--ca-file', caFile, '--require-claim', 'scope=agents:access', ...extra], { env });
const get = (ns: string, kind: string, name: string) => JSON.parse(kubectl(['-n', ns, 'get', kind, name, '-o', 'json', '--show-managed-fields']));
const KINDS = 'requestauthentications.security.istio.io,authorizationpolicies.security.istio.io,envoyfilters.networking.istio.io';

describe('apply on a real cluster', () => {
  it('create, re-apply unchanged (no generation bump), change one flag (configured)', async () => {
    const ns = freshNamespace(c, 'apply');
    const first = await applyCli(ns);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('requestauthentication.security.istio.io/omnia-agent-jwt created');
    expect(first.stdout).toContain('envoyfilter.networking.istio.io/omnia-agent-strip-edge-trust-headers created');
    expect(first.stdout).toContain('Next: kubectl omnia-auth status');
    const ra = get(ns, 'requestauthentications.security.istio.io', 'omnia-agent-jwt');
    expect(ra.spec.jwtRules[0]).toMatchObject({ issuer: oidc.issuer, jwksUri: `${oidc.issuer}/jwks`, audiences: [AUDIENCE] });
    expect(ra.metadata.labels['app.kubernetes.io/managed-by']).toBe('kubectl-omnia-auth');
    expect(ra.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl-omnia-auth']);

    const again = await applyCli(ns);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/ unchanged/g)).toHaveLength(4);
    const ra2 = get(ns, 'requestauthentications.security.istio.io', 'omnia-agent-jwt');
    expect(ra2.metadata.generation).toBe(ra.metadata.generation);
    expect(ra2.metadata.resourceVersion).toBe(ra.metadata.resourceVersion);

    const changed = await applyCli(ns, ['--audience', 'https://second.example.com']);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('requestauthentication.security.istio.io/omnia-agent-jwt configured');
    expect(changed.stdout).toContain('authorizationpolicy.security.istio.io/omnia-agent-require-jwt unchanged');
    expect(get(ns, 'requestauthentications.security.istio.io', 'omnia-agent-jwt').metadata.generation).toBe(ra.metadata.generation + 1);
  });

  it('a conflict with another field manager names it and the field; --force-conflicts takes over', async () => {
    const ns = freshNamespace(c, 'apply');
    const helmOwned = { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'omnia-agent-jwt', namespace: ns }, spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agent' } }, jwtRules: [{ issuer: 'https://helm.example.com', jwksUri: 'https://helm.example.com/keys' }] } };
    kubectl(['apply', '--server-side', '--field-manager=helm', '-f', '-'], JSON.stringify(helmOwned));
    const r = await applyCli(ns);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/apply conflict on requestauthentications\.security\.istio\.io .*\/omnia-agent-jwt: conflict with "helm".*\.spec\.jwtRules/s);
    expect(r.stderr).toContain('--force-conflicts');
    // nothing half-applied: the policies that had no conflict were not written either
    expect(kubectl(['-n', ns, 'get', 'authorizationpolicies.security.istio.io', '-o', 'name'])).toBe('');
    const forced = await applyCli(ns, ['--force-conflicts']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('requestauthentication.security.istio.io/omnia-agent-jwt configured');
    expect(get(ns, 'requestauthentications.security.istio.io', 'omnia-agent-jwt').spec.jwtRules[0].issuer).toBe(oidc.issuer);
  });

  it('--dry-run=server validates on the server and writes nothing', async () => {
    const ns = freshNamespace(c, 'apply');
    const r = await applyCli(ns, ['--dry-run=server']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('requestauthentication.security.istio.io/omnia-agent-jwt created (server dry run)');
    expect(kubectl(['-n', ns, 'get', KINDS, '-o', 'name'])).toBe('');
  });

  it('a value the CRD\'s CEL rule rejects (client validation bypassed): a clear error, nothing applied', async () => {
    const ns = freshNamespace(c, 'apply');
    const r = await applyCli(ns, ['--jwks-uri', 'ftp://keys.example.com/jwks', '--skip-preflight'], { OMNIA_AUTH_SKIP_CLIENT_VALIDATION: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected by the API server: .*jwksUri: Invalid value: "ftp:\/\/keys.example.com\/jwks": url must have scheme http:\/\/ or https:\/\//);
    expect(kubectl(['-n', ns, 'get', KINDS, '-o', 'name'])).toBe('');
  });

  it('the same value is caught before any request without the bypass (exit 2)', async () => {
    const r = await runCli(['apply', '--kubeconfig', c.unreachableKubeconfig, '--issuer', 'https://idp', '--jwks-uri', 'ftp://x', '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('spec.jwtRules[0].jwksUri: Invalid value: "ftp://x": url must have scheme http:// or https://');
  });

  it('--disable removes only the objects this plugin manages', async () => {
    const ns = freshNamespace(c, 'apply');
    expect((await applyCli(ns)).code).toBe(0);
    applyManifests(c, [{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'someone-elses', namespace: ns }, spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } }]);
    const r = await runCli(['apply', '--disable', '--yes', '--kubeconfig', c.adminKubeconfig, '-n', ns]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ deleted/g)).toHaveLength(4);
    expect(kubectl(['-n', ns, 'get', KINDS, '-o', 'name']).trim()).toBe('authorizationpolicy.security.istio.io/someone-elses');
  });

  it('--disable off a terminal without --yes refuses (exit 2) and deletes nothing', async () => {
    const r = await runCli(['apply', '--disable', '--kubeconfig', c.adminKubeconfig, '-n', 'default']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
  });

  it('--diff shows what changes before applying', async () => {
    const ns = freshNamespace(c, 'apply');
    await applyCli(ns);
    const r = await applyCli(ns, ['--diff', '--audience', 'https://second.example.com', '--color', 'never']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--- RequestAuthentication ${ns}/omnia-agent-jwt (changes)`);
    expect(r.stdout).toMatch(/^\+\s+- https:\/\/second\.example\.com$/m);
    expect(r.stdout).not.toMatch(/^[-+]\s+(issuer|jwksUri|selector):/m); // only the real change, not key order
    expect(r.stdout).toContain(`--- AuthorizationPolicy ${ns}/omnia-agent-require-jwt (no change)`);
  });

  it('preflight: an apiserver without the Istio CRDs is refused before writing', async () => {
    const { startCluster } = await import('../cluster/harness.ts');
    const bare = await startCluster({ istioCrds: false });
    try {
      const r = await runCli(['apply', '--kubeconfig', bare.adminKubeconfig, '-n', 'default', '--issuer', oidc.issuer, '--ca-file', caFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('does not serve security.istio.io/v1');
    } finally {
      await bare.stop();
    }
  });

  it('preflight: an unreachable JWKS stops apply with the reason', async () => {
    const ns = freshNamespace(c, 'apply');
    const r = await applyCli(ns, ['--jwks-uri', 'http://127.0.0.1:1/jwks', '--timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/preflight: the JWKS at http:\/\/127\.0\.0\.1:1\/jwks is not usable from here: connection refused/);
    expect(kubectl(['-n', ns, 'get', KINDS, '-o', 'name'])).toBe('');
  });

  it('-o helm-values and --dry-run=client need no cluster', async () => {
    const v = await runCli(['apply', '--provider', 'keycloak', '--domain', 'sso.example.com', '--realm', 'omnia', '-o', 'helm-values'], { env: { KUBECONFIG: '/nonexistent' } });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('jwksUri: https://sso.example.com/realms/omnia/protocol/openid-connect/certs');
    const y = await runCli(['apply', '--issuer', 'https://idp.example.com', '--jwks-uri', 'https://idp.example.com/keys', '--offline', '--dry-run=client', '-o', 'json'], { env: { KUBECONFIG: '/nonexistent' } });
    expect(y.code).toBe(0);
    expect(y.json().items.map((o: any) => o.kind)).toEqual(['RequestAuthentication', 'AuthorizationPolicy', 'AuthorizationPolicy', 'EnvoyFilter']);
  });
});
