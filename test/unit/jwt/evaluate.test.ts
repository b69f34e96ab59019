import { describe, expect, it } from 'vitest';
import { evaluateJwt } from '../../../src/core/jwt/evaluate.js';
import { parseJwks } from '../../../src/core/jwt/jwks.js';
import { JwtStatus, httpStatusForJwtFailure, responseCodeDetails, statusFromResponseCodeDetails } from '../../../src/core/jwt/status.js';
import { b64u, jwksOf, makeKey, signed, type Alg } from '../../support/tokens.js';

const NOW = 1_800_000_000;
const ISS = 'https://idp.example/';
const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, sub: 'user-1', aud: 'agents', iat: NOW - 10, exp: NOW + 3600, ...extra });
const run = (token: string, jwks: string | undefined, rule: { issuer?: string; audiences?: string[] } = {}) =>
  evaluateJwt({ token, rule: { issuer: ISS, audiences: [], ...rule }, ...(jwks !== undefined ? { jwks: parseJwks(jwks) } : {}), now: NOW });

describe('evaluateJwt: every algorithm Envoy supports verifies', () => {
  const algs: Alg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA'];
  it.each(algs)('%s: OK with its key, "Jwt verification fails" when tampered', (alg) => {
    const k = makeKey(alg);
    const t = signed(k, claims());
    expect(run(t, jwksOf(k)).status).toBe(JwtStatus.Ok);
    const [h, , s] = t.split('.');
    const tampered = `${h}.${b64u(claims({ sub: 'admin' }))}.${s}`;
    expect(run(tampered, jwksOf(k)).status).toBe(JwtStatus.VerificationFail);
  });
});

describe('evaluateJwt: Envoy check order and statuses', () => {
  const k = makeKey('RS256', 'k1');
  const jwks = jwksOf(k);

  it('issuer comes before time: an expired token of another issuer is "not configured"', () => {
    expect(run(signed(k, claims({ iss: 'https://other/', exp: NOW - 1000 })), jwks).status).toBe(JwtStatus.UnknownIssuer);
  });
  it('issuer match is exact: a trailing slash differs', () => {
    const r = run(signed(k, claims({ iss: 'https://idp.example' })), jwks);
    expect([r.status, r.stage]).toEqual([JwtStatus.UnknownIssuer, 'issuer']);
  });
  it('time comes before audience', () => {
    expect(run(signed(k, claims({ exp: NOW - 61, aud: 'x' })), jwks, { audiences: ['agents'] }).status).toBe(JwtStatus.Expired);
  });
  it('exp + 60 is still accepted, exp + 61 is expired', () => {
    expect(run(signed(k, claims({ exp: NOW - 60 })), jwks).status).toBe(JwtStatus.Ok);
    expect(run(signed(k, claims({ exp: NOW - 61 })), jwks).status).toBe(JwtStatus.Expired);
  });
  it('nbf - 60 is accepted, nbf - 61 is not yet valid', () => {
    expect(run(signed(k, claims({ nbf: NOW + 60 })), jwks).status).toBe(JwtStatus.Ok);
    expect(run(signed(k, claims({ nbf: NOW + 61 })), jwks).status).toBe(JwtStatus.NotYetValid);
  });
  it('a token without exp is accepted (never expires)', () => {
    const c: Record<string, unknown> = claims();
    delete c['exp'];
    expect(run(signed(k, c), jwks).status).toBe(JwtStatus.Ok);
  });
  it('iat in the future is not checked', () => {
    expect(run(signed(k, claims({ iat: NOW + 100_000 })), jwks).status).toBe(JwtStatus.Ok);
  });
  it('audience comes before keys: wrong aud with an unknown kid is an audience failure (403)', () => {
    const r = run(signed(k, claims({ aud: 'other' }), { kid: 'nope' }), jwks, { audiences: ['agents'] });
    expect(r.status).toBe(JwtStatus.AudienceNotAllowed);
    expect(httpStatusForJwtFailure(r.status!)).toBe(403);
  });
  it('aud as a list and with scheme/trailing slash matches', () => {
    expect(run(signed(k, claims({ aud: ['x', 'https://agents/'] })), jwks, { audiences: ['agents'] }).status).toBe(JwtStatus.Ok);
  });
  it('audience check with a token without aud fails when audiences are configured', () => {
    const c: Record<string, unknown> = claims();
    delete c['aud'];
    expect(run(signed(k, c), jwks, { audiences: ['agents'] }).status).toBe(JwtStatus.AudienceNotAllowed);
  });
  it('no keys at all: undetermined (null), but earlier failures still decide', () => {
    expect(run(signed(k, claims()), undefined).status).toBeNull();
    expect(run(signed(k, claims({ exp: NOW - 100 })), undefined).status).toBe(JwtStatus.Expired);
  });
  it('unchecked issuer (none configured) does not fail', () => {
    const r = evaluateJwt({ token: signed(k, claims({ iss: 'whatever' })), rule: { audiences: [] }, jwks: parseJwks(jwks), now: NOW });
    expect([r.status, r.issuer]).toEqual([JwtStatus.Ok, 'unchecked']);
  });
  it('empty token is Jwt is missing', () => expect(evaluateJwt({ token: '', rule: { audiences: [] }, now: NOW }).status).toBe(JwtStatus.Missing));
});

describe('key selection (verify.cc)', () => {
  const k1 = makeKey('RS256', 'k1');
  const k2 = makeKey('RS256', 'k2');
  it('token kid not in JWKS: kid/alg mismatch', () => {
    expect(run(signed(k1, claims(), { kid: 'zzz' }), jwksOf(k2)).status).toBe(JwtStatus.JwksKidAlgMismatch);
  });
  it('token without kid tries every key', () => {
    expect(run(signed(k1, claims(), { kid: null }), jwksOf(k2, k1)).status).toBe(JwtStatus.Ok);
  });
  it('key without kid is tried for a token with kid', () => {
    const { kid: _drop, ...noKid } = k1.jwk;
    expect(run(signed(k1, claims(), { kid: 'anything' }), JSON.stringify({ keys: [noKid] })).status).toBe(JwtStatus.Ok);
  });
  it('kid matches but the key is another: verification fails (not mismatch)', () => {
    const imposter = makeKey('RS256', 'imposter');
    const jwks = JSON.stringify({ keys: [{ ...imposter.jwk, kid: 'k1' }] });
    expect(run(signed(k1, claims()), jwks).status).toBe(JwtStatus.VerificationFail);
  });
  it('key alg differs from the token alg: skipped, so mismatch', () => {
    const jwks = JSON.stringify({ keys: [{ ...k1.jwk, alg: 'RS512' }] });
    expect(run(signed(k1, claims()), jwks).status).toBe(JwtStatus.JwksKidAlgMismatch);
  });
  it('key without alg is used for any alg of its family', () => {
    const noAlg = makeKey('ES256', 'e1', { withAlg: false });
    expect(run(signed(noAlg, claims()), jwksOf(noAlg)).status).toBe(JwtStatus.Ok);
  });
  it('PS256 token verifies with an RSA key whose alg is PS256', () => {
    const ps = makeKey('PS256', 'p1');
    expect(run(signed(ps, claims()), jwksOf(ps)).status).toBe(JwtStatus.Ok);
  });
  it('EdDSA signature of the wrong length is its own status', () => {
    const ed = makeKey('EdDSA', 'ed');
    const [h, p] = signed(ed, claims()).split('.');
    expect(run(`${h}.${p}.${b64u(Buffer.alloc(10, 1))}`, jwksOf(ed)).status).toBe(JwtStatus.Ed25519SignatureWrongLength);
  });
  it('empty JWKS: no valid public key', () => {
    expect(run(signed(k1, claims()), '{"keys":[]}').status).toBe(JwtStatus.JwksNoValidKeys);
  });
  it('HTML instead of JWKS: no valid public key', () => {
    expect(run(signed(k1, claims()), '<html>login</html>').status).toBe(JwtStatus.JwksNoValidKeys);
  });
  it('a broken key is skipped, a good one still works', () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'bad' }, k1.jwk] });
    const parsed = parseJwks(jwks);
    expect(parsed.rejected).toEqual([{ index: 0, kid: 'bad', problem: '[n] field is missing for a RSA key' }]);
    expect(run(signed(k1, claims()), jwks).status).toBe(JwtStatus.Ok);
  });
  it('istiod 1.21+ placeholder (RSA key without kid) fails RS tokens with "Jwt verification fails"', () => {
    const placeholder = makeKey('RS256', 'x', { withKid: false, withAlg: false, fresh: true });
    expect(run(signed(k1, claims()), jwksOf(placeholder)).status).toBe(JwtStatus.VerificationFail);
  });
  it('istiod <= 1.20 placeholder (kid "abc") gives kid/alg mismatch', () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'abc', alg: 'RS256', e: 'AQAB', n: 'RXJyb3ItSXN0aW9kRmFpbGVkVG9GZXRjaEp3a3NVcmktAQAB' }] });
    expect(run(signed(k1, claims()), jwks).status).toBe(JwtStatus.JwksKidAlgMismatch);
  });
});

describe('parseJwks problems (jwks.cc)', () => {
  it.each([
    [{ keys: [{ kid: 'a' }] }, '[kty] is missing in [keys]'],
    [{ keys: [{ kty: 5 }] }, '[kty] is bad in [keys]'],
    [{ keys: [{ kty: 'XYZ' }] }, '[kty] is not supported in [keys]'],
    [{ keys: [{ kty: 'RSA', alg: 'ES256', n: 'AQ', e: 'AQAB' }] }, '[alg] is not started with [RS] or [PS] for an RSA key'],
    [{ keys: [{ kty: 'RSA', n: 'AQ', e: 'Aw0' }] }, 'Jwks RSA [n] or [e] field is missing or has a parse error'],
    [{ keys: [{ kty: 'EC', crv: 'P-256', alg: 'ES384', x: 'AA', y: 'AA' }] }, '[crv] field specified is not compatible with [alg] for an EC key'],
    [{ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] }, 'Jwks EC [x] and [y] fields have a parse error.'],
    [{ keys: [{ kty: 'EC', crv: 'secp256k1', x: 'AA', y: 'AA' }] }, '[crv] or [alg] field is not supported for an EC key'],
    [{ keys: [{ kty: 'oct', k: '' }] }, 'Jwks Oct key is an invalid Base64'],
    [{ keys: [{ kty: 'OKP', crv: 'X25519', x: 'AA' }] }, '[crv] field is not supported for an OKP key'],
    [{ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }] }, 'Jwks OKP [x] field is wrong length.'],
  ])('%j -> %s', (doc, problem) => {
    const r = parseJwks(JSON.stringify(doc));
    expect(r.keys).toHaveLength(0);
    expect(r.rejected[0]?.problem).toBe(problem);
  });
  it.each([
    ['not JSON', 'Jwks is an invalid JSON'],
    ['{"foo":1}', 'Jwks does not have [keys] field'],
    ['{"keys":{}}', '[keys] in Jwks is not an array'],
  ])('%s -> %s', (text, error) => expect(parseJwks(text).error).toBe(error));
});

describe('status helpers', () => {
  it('RESPONSE_CODE_DETAILS round-trips', () => {
    const d = responseCodeDetails(JwtStatus.JwksKidAlgMismatch);
    expect(d).toBe("jwt_authn_access_denied{Jwks_doesn't_have_key_to_match_kid_or_alg_from_Jwt}");
    expect(statusFromResponseCodeDetails(d)).toBe(JwtStatus.JwksKidAlgMismatch);
  });
  it('403 only for the audience', () => {
    expect(httpStatusForJwtFailure(JwtStatus.AudienceNotAllowed)).toBe(403);
    expect(httpStatusForJwtFailure(JwtStatus.Expired)).toBe(401);
  });
});
