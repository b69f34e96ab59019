import { describe, expect, it } from 'vitest';
import { classify, redactSecrets, Summarizer } from '../../../src/core/access-log/classify.js';
import { parseLine, splitKubeTimestamp, splitPodPrefix } from '../../../src/core/access-log/parse.js';
import { JwtStatus, responseCodeDetails } from '../../../src/core/jwt/status.js';
import { envoyNew, envoyOld, jsonLine, textLine } from '../../support/access-lines.js';

const src = { namespace: 'ns', pod: 'agent-0', container: 'istio-proxy', ts: null };
const ev = (line: string) => classify(parseLine(line), src)!;

const JWT_FAILURES = Object.values(JwtStatus).filter((s) => s !== 'OK' && s !== 'Jwt is missing');

describe('access-log lines: every Envoy jwt status, TEXT and JSON', () => {
  it.each(JWT_FAILURES)('%s', (status) => {
    const code = status === JwtStatus.AudienceNotAllowed ? 403 : 401;
    for (const line of [textLine({ code, details: responseCodeDetails(status) }), jsonLine({ code, details: responseCodeDetails(status) })]) {
      expect(ev(line)).toMatchObject({ kind: 'jwt', reason: status, httpStatus: code, method: 'GET', path: '/ws', authority: 'agents.example.com', requestId: 'req-1' });
    }
  });
});

describe('RBAC, upstream and others', () => {
  it('a matched DENY rule: namespace, policy and rule', () => {
    const e = ev(textLine({ code: 403, details: 'rbac_access_denied_matched_policy[ns[omnia-system]-policy[omnia-agent-deny-unauthenticated]-rule[0]]' }));
    expect(e).toMatchObject({ kind: 'rbac', httpStatus: 403, policy: 'omnia-system/omnia-agent-deny-unauthenticated', rule: 0, reason: 'RBAC: access denied' });
  });
  it('no ALLOW rule matched: policy none', () => {
    expect(ev(jsonLine({ code: 403, details: 'rbac_access_denied_matched_policy[none]' }))).toMatchObject({ kind: 'rbac', policy: null, rule: null });
  });
  it('a 401 from the agent itself', () => {
    expect(ev(textLine({ code: 401, details: 'via_upstream' }))).toMatchObject({ kind: 'upstream', httpStatus: 401 });
  });
  it('a 200 is other', () => expect(ev(textLine({ code: 200, details: 'via_upstream' }))).toMatchObject({ kind: 'other', httpStatus: 200 }));
  it('a 403 that is not about auth (e.g. ext_authz) is other', () => expect(ev(textLine({ code: 403, details: 'ext_authz_denied' })).kind).toBe('other'));
});

describe('Envoy debug lines, new and old layouts', () => {
  it.each([envoyNew, envoyOld])('jwt: Jwt authentication completed with a failure', (fmt) => {
    expect(ev(fmt('jwt', 'Jwt authentication completed with: Jwt is expired'))).toMatchObject({ kind: 'jwt', reason: 'Jwt is expired', httpStatus: 401 });
  });
  it.each([envoyNew, envoyOld])('jwt: OK is not a failure', (fmt) => expect(ev(fmt('jwt', 'Jwt authentication completed with: OK')).kind).toBe('other'));
  it.each([envoyNew, envoyOld])('rbac: enforced denied with a policy id', (fmt) => {
    expect(ev(fmt('rbac', 'enforced denied, matched policy ns[a]-policy[b]-rule[2]'))).toMatchObject({ kind: 'rbac', policy: 'a/b', rule: 2 });
  });
  it('rbac: enforced denied, matched policy none', () => expect(ev(envoyNew('rbac', 'enforced denied, matched policy none'))).toMatchObject({ kind: 'rbac', policy: null }));
  it('a whole token in "Parse Jwt" is redacted', () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"x"}').toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU`;
    const e = ev(envoyNew('jwt', `origins-0: Parse Jwt ${token}`));
    expect(e.reason).not.toContain(token);
    expect(e.reason).not.toContain(token.split('.')[1]);
  });
  it('authorization and cookie headers in an rbac "checking request" dump are masked', () => {
    const e = ev(envoyNew('rbac', "checking request: requestedServerName: , sourceIP: 10.0.0.9:5000, headers: ':authority', 'agents'\n'authorization', 'Bearer abc.def.ghi'\n'cookie', 'session=s3cr3t'\n"));
    expect(e.reason).not.toContain('abc.def.ghi');
    expect(e.reason).not.toContain('s3cr3t');
    expect(e.reason).toContain('<redacted>');
  });
});

describe('istiod lines', () => {
  it.each([
    '2026-12-03T10:00:00.000000Z\terror\tmodel\tFailed to fetch public key from jwks URI "https://idp/jwks": Get "https://idp/jwks": x509: certificate signed by unknown authority',
    '2026-12-03T10:00:00.000000Z\twarn\tmodel\tFailed to get jwks URI from issuer "https://idp": timeout',
    '2026-12-03T10:00:00.000000Z\twarn\tmodel\tFailed to refresh JWT public key from "https://idp/jwks": HTTP 500; using a fake JWKS',
  ])('JWKS failure: %s', (line) => expect(ev(line)).toMatchObject({ kind: 'jwks' }));
  it('other istiod lines are other', () => expect(ev('2026-12-03T10:00:00.000000Z\tinfo\tads\tPush debounce stable').kind).toBe('other'));
});

describe('never throws on malformed or truncated lines', () => {
  it.each([
    '', '[', '[2026-12-03T10:00:00.123Z] "GET', '{"response_code":', '{not json', textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}' }).slice(0, 60),
    '\u0000\u0001binary', 'x'.repeat(100_000), '[2026-12-03T10:00:00.123Z] "- - -" 0 UF,URX - - "-" 0 0 1 - "-" "-" "-" "-" "10.0.0.1:80" outbound|80||x - 10.0.0.2:80 10.0.0.3:1 - -',
  ])('%#', (line) => {
    expect(() => classify(parseLine(line), src)).not.toThrow();
  });
  it('a truncated jwt line still yields its status when the details survive', () => {
    const full = textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}' });
    expect(ev(full.slice(0, full.indexOf('Jwt_is_expired}') + 'Jwt_is_expired}'.length))).toMatchObject({ kind: 'jwt', reason: 'Jwt is expired' });
  });
});

describe('prefixes and redaction', () => {
  it('kubectl --timestamps prefix', () => expect(splitKubeTimestamp('2026-12-03T10:00:00.123456789Z [x] y')).toEqual({ ts: '2026-12-03T10:00:00.123456789Z', text: '[x] y' }));
  it('kubectl --prefix', () => expect(splitPodPrefix('[pod/agent-0/istio-proxy] hello')).toEqual({ pod: 'agent-0', container: 'istio-proxy', text: 'hello' }));
  it('access_token in a path is masked', () => {
    expect(ev(textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}', path: '/ws?access_token=eyJabc.def.ghi&x=1' })).path).toBe('/ws?access_token=<redacted>&x=1');
  });
  it('redactSecrets leaves harmless text alone', () => expect(redactSecrets('GET /healthz 200')).toBe('GET /healthz 200'));
});

describe('summary', () => {
  it('counts by reason (with remedies), by pod and by path; hints when no access line was seen', () => {
    const s = new Summarizer();
    const lines = [
      textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}' }),
      textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}', path: '/other' }),
      textLine({ code: 403, details: 'rbac_access_denied_matched_policy[none]' }),
      textLine({ code: 200, details: 'via_upstream' }),
    ];
    for (const l of lines) {
      const r = parseLine(l);
      s.add(classify(r, src)!, r.type === 'access');
    }
    const sum = s.summary();
    expect(sum.total).toBe(3);
    expect(sum.accessLines).toBe(4);
    expect(sum.byReason[0]).toMatchObject({ kind: 'jwt', reason: 'Jwt is expired', count: 2 });
    expect(sum.byReason[0]!.remedy).toContain('fresh token');
    expect(sum.byPath).toEqual([{ path: '/ws', count: 2 }, { path: '/other', count: 1 }]);
    expect(sum.accessLoggingHint).toBeNull();
    expect(new Summarizer().summary().accessLoggingHint).toContain('telemetry.istio.io/v1');
  });
});

describe('the fast scanner for --file never drops an auth failure', async () => {
  const { LineScanner, look, Look } = await import('../../../src/core/access-log/scan.js');
  const failures = [
    textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}' }), jsonLine({ code: 403, details: 'rbac_access_denied_matched_policy[none]' }),
    textLine({ code: 403, details: 'via_upstream' }), envoyNew('jwt', 'Jwt authentication completed with: Jwt is expired'), envoyOld('rbac', 'enforced denied, matched policy none'),
    '2026-12-03T10:00:00.000000Z\terror\tmodel\tFailed to fetch public key from jwks URI "x"',
    `[pod/a-0/istio-proxy] 2026-12-03T10:00:00.123456789Z ${textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}' })}`,
    `2026-12-03T10:00:00.123456789Z ${jsonLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}' })}`,
  ];
  it.each(failures)('%s', (l) => expect(look(l, 0, l.length)).toBe(Look.Matters));
  it('200 access lines are access lines that do not matter', () => {
    const l = textLine({ code: 200, details: 'via_upstream' });
    expect(look(l, 0, l.length)).toBe(Look.AccessIgnore);
    const j = `[pod/a/istio-proxy] ${jsonLine({ code: 200, details: 'via_upstream' })}`;
    expect(look(j, 0, j.length)).toBe(Look.AccessIgnore);
  });
  it('lines split across chunks, CRLF and a last line without newline', () => {
    const got: string[] = [];
    const s = new LineScanner((l) => { if (l) got.push(l); });
    const text = `${failures[0]}\r\n${textLine({ code: 200, details: 'via_upstream' })}\n${failures[1]}`;
    for (let i = 0; i < text.length; i += 7) s.feed(Buffer.from(text.slice(i, i + 7)));
    s.end();
    expect(got).toEqual([failures[0], failures[1]]);
  });
});

describe('non-ASCII survives the latin1 fast path', async () => {
  const { LineScanner } = await import('../../../src/core/access-log/scan.js');
  it('a UTF-8 path and user agent come out intact', () => {
    const line = textLine({ code: 401, details: 'jwt_authn_access_denied{Jwt_is_expired}', path: '/agents/café/ws' });
    const got: string[] = [];
    const s = new LineScanner((l) => { if (l) got.push(l); });
    const buf = Buffer.from(`${line}\n`, 'utf8');
    const cut = buf.indexOf('café') + Buffer.byteLength('café'); // the non-ASCII bytes end the first chunk; the second is ASCII
    s.feed(buf.subarray(0, cut));
    s.feed(buf.subarray(cut));
    s.end();
    expect(got).toEqual([line]);
  });
});
