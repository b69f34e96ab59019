// check-token, built CLI, against a real OpenID provider over TLS (oidc-provider: discovery,
// JWKS, tokens from a real client_credentials grant, key rotation) and a misbehaving JWKS server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBadServer, type BadServer } from '../support/bad-jwks.js';
import { makeCa, makeLeaf } from '../support/certs.js';
import { runCli } from '../support/cli.js';
import { AUDIENCE, startOidc, type OidcServer } from '../support/oidc.js';

let dir: string;
let caFile: string;
let oidc: OidcServer;
let bad: BadServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omnia-auth-e2e-ct-'));
  const ca = makeCa(dir, 'ca');
  caFile = ca.certFile;
  const leaf = makeLeaf(dir, ca, 'oidc');
  const otherCa = makeCa(join(dir, 'other'), 'other-ca');
  const untrusted = makeLeaf(join(dir, 'other'), otherCa, 'untrusted');
  oidc = await startOidc(leaf, ca.cert, { kid: 'key-1' });
  bad = await startBadServer(untrusted);
});

afterAll(async () => {
  await oidc?.stop();
  await bad?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// No kubeconfig here: without --issuer, check-token falls back to the token alone (and says so).
const NO_CLUSTER = { KUBECONFIG: '/nonexistent/kubeconfig' };
const check = (token: string, ...extra: string[]) =>
  runCli(['check-token', token, '--ca-file', caFile, '-o', 'json', ...extra], { env: NO_CLUSTER });
const byId = (r: { checks: Array<{ id: string; status: string; message: string }> }, id: string) => r.checks.find((c) => c.id === id)!;

describe('check-token against a real OpenID provider', () => {
  it('accepts a token from a real grant, finding keys by discovery from --issuer', async () => {
    const token = await oidc.token();
    const r = await check(token, '--issuer', oidc.issuer, '--audience', AUDIENCE);
    const j = r.json();
    expect(r.code).toBe(0);
    expect(j).toMatchObject({ allowed: true, httpStatus: 200, body: '', jwtStatus: 'OK' });
    expect(byId(j, 'discovery').status).toBe('pass');
    expect(byId(j, 'discovery-issuer').status).toBe('pass');
    expect(byId(j, 'jwks')).toMatchObject({ status: 'pass' });
    expect(byId(j, 'jwks').message).toContain('kid key-1');
    expect(byId(j, 'signature').status).toBe('pass');
    expect(j.token.claims.iss).toBe(oidc.issuer);
    expect(r.stdout).not.toContain(token);
    expect(r.stdout).not.toContain(token.split('.')[2]);
  });

  it('without --issuer and without a cluster: discovers from the token\'s own iss, warns that the issuer and the policies were not checked', async () => {
    const r = await check(await oidc.token());
    const j = r.json();
    expect(r.code).toBe(0);
    expect(byId(j, 'issuer').status).toBe('warn');
    expect(byId(j, 'policies').status).toBe('warn');
    expect(byId(j, 'discovery').message).toContain("from the token's iss");
  });

  it('a configured issuer with a trailing slash: discovery issuer differs and the token gets "Jwt issuer is not configured" (401)', async () => {
    const r = await check(await oidc.token(), '--issuer', `${oidc.issuer}/`);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j).toMatchObject({ allowed: false, httpStatus: 401, jwtStatus: 'Jwt issuer is not configured', body: 'Jwt issuer is not configured' });
    expect(byId(j, 'discovery-issuer').status).toBe('fail');
    expect(byId(j, 'issuer').message).toContain('trailing slash');
  });

  it('a wrong audience is 403 from jwt_authn', async () => {
    const r = await check(await oidc.token(), '--issuer', oidc.issuer, '--audience', 'https://other.example');
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ httpStatus: 403, jwtStatus: 'Audiences in Jwt are not allowed' });
  });

  it('--now two hours later: Jwt is expired', async () => {
    const token = await oidc.token();
    const later = Math.floor(Date.now() / 1000) + 2 * 3600;
    const r = await check(token, '--issuer', oidc.issuer, '--now', String(later));
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ httpStatus: 401, jwtStatus: 'Jwt is expired', responseCodeDetails: 'jwt_authn_access_denied{Jwt_is_expired}' });
  });

  it('the token from stdin, as an Authorization header line', async () => {
    const token = await oidc.token();
    const r = await runCli(['check-token', '-', '--ca-file', caFile, '--issuer', oidc.issuer, '-o', 'json'], { input: `Authorization: Bearer ${token}\n`, env: NO_CLUSTER });
    expect(r.code).toBe(0);
    expect(r.json().jwtStatus).toBe('OK');
  });

  it('the token from --token-file, as a WebSocket URL; human output ends with the verdict', async () => {
    const token = await oidc.token();
    const f = join(dir, 'token.txt');
    writeFileSync(f, `wss://agents.example/ws?access_token=${token}`);
    const r = await runCli(['check-token', '--token-file', f, '--ca-file', caFile, '--issuer', oidc.issuer]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Istio would accept this token (jwt_authn: OK).');
    expect(r.stdout).toContain('from the access_token query parameter');
    expect(r.stdout).not.toContain(token);
  });

  it('key rotation: an old token meets the new JWKS with "Jwks doesn\'t have key to match kid or alg from Jwt"', async () => {
    const old = await oidc.token();
    await oidc.rotate('key-2');
    const r = await check(old, '--issuer', oidc.issuer);
    const j = r.json();
    expect(r.code).toBe(1);
    expect(j.jwtStatus).toBe("Jwks doesn't have key to match kid or alg from Jwt");
    expect(byId(j, 'key').message).toContain('kid key-2');
    const fresh = await oidc.token();
    expect((await check(fresh, '--issuer', oidc.issuer)).code).toBe(0);
  });

  it('without --ca-file the private CA is not trusted: undetermined, exit 3, a TLS check with a remedy', async () => {
    const r = await runCli(['check-token', await oidc.token(), '--issuer', oidc.issuer, '-o', 'json'], { env: NO_CLUSTER });
    const j = r.json();
    expect(r.code).toBe(3);
    expect(j).toMatchObject({ allowed: null, httpStatus: null, jwtStatus: null });
    expect(byId(j, 'discovery')).toMatchObject({ status: 'fail' });
    expect(byId(j, 'discovery').message).toMatch(/TLS/);
    expect((byId(j, 'discovery') as { remedy?: string }).remedy).toContain('--ca-file');
  });
});

describe('check-token against a misbehaving JWKS server: each failure is its own check, within timeout + 1 s', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['hang (timeout)', () => `${bad.url}/hang`, /no answer within/],
    ['HTTP 500', () => `${bad.url}/500`, /HTTP 500/],
    ['HTML body', () => `${bad.url}/html`, /Jwks is an invalid JSON.*doctype/],
    ['oversized body', () => `${bad.url}/huge`, /cap/],
    ['redirect loop', () => `${bad.url}/loop`, /redirects/],
    ['certificate from an unknown CA', () => `${bad.tlsUrl}/jwks`, /TLS/],
  ];
  it.each(cases)('%s', async (_name, url, message) => {
    const token = await oidc.token();
    const r = await check(token, '--jwks-uri', url(), '--timeout', '2s');
    const j = r.json();
    const jwks = byId(j, 'jwks');
    expect(jwks.status).toBe('fail');
    expect(jwks.message).toMatch(message);
    expect((jwks as { remedy?: string }).remedy).toBeTruthy();
    expect(r.ms).toBeLessThan(2000 + 1000); // the 2 s timeout plus one second, CLI start included
    if (_name === 'HTML body') {
      expect(r.code).toBe(1); // an HTML "JWKS" is a JWKS without keys: Envoy rejects every token
      expect(j.jwtStatus).toBe("Jwks doesn't have any valid public key");
    } else {
      expect(r.code).toBe(3);
      expect(j.jwtStatus).toBeNull();
    }
  });
});

describe('colour', () => {
  const offline = ['check-token', '--token-file', 'examples/token.txt', '--issuer', 'https://idp.example.com/', '--jwks-file', 'examples/jwks.json', '--now', '2026-12-03T13:30:00Z'];
  it('plain when not on a terminal, ANSI with --color always, none with --color never', async () => {
    const plain = await runCli(offline, { env: { NO_COLOR: '' } });
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runCli([...offline, '--color', 'always'], { env: { NO_COLOR: '' } });
    expect(forced.stdout).toContain('\u001b[31mIstio would answer 401 Jwt is expired\u001b[39m');
    const never = await runCli([...offline, '--color', 'never']);
    expect(never.stdout).not.toContain('\u001b[');
  });
});
