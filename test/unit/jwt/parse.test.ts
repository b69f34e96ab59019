import { describe, expect, it } from 'vitest';
import { parseJwt } from '../../../src/core/jwt/parse.js';
import { JwtStatus } from '../../../src/core/jwt/status.js';
import { b64u } from '../../support/tokens.js';

const H = b64u({ alg: 'RS256', kid: 'k1' });
const P = b64u({ iss: 'https://idp/', sub: 'u' });
const S = b64u('sig');
const tok = (h: unknown, p: unknown, s = S) => `${typeof h === 'string' ? h : b64u(h as object)}.${typeof p === 'string' ? p : b64u(p as object)}.${s}`;

describe('parseJwt: Envoy jwt.cc statuses in Envoy order', () => {
  const cases: Array<[string, string, string]> = [
    ['two parts', `${H}.${P}`, JwtStatus.BadFormat],
    ['four parts', `${H}.${P}.${S}.x`, JwtStatus.BadFormat],
    ['empty signature (two dots, two sections)', `${H}.${P}.`, JwtStatus.BadFormat],
    ['empty middle section', `${H}..${S}`, JwtStatus.BadFormat],
    ['no dots', 'abc', JwtStatus.BadFormat],
    ['header not base64url', tok('a+b/', P), JwtStatus.HeaderBadBase64],
    ['header with one leftover char', tok('abcde', P), JwtStatus.HeaderBadBase64],
    ['header wrong padding', tok(`${b64u('{"alg":"RS256"}')}=`, P), JwtStatus.HeaderBadBase64],
    ['header not JSON', tok(b64u('not json'), P), JwtStatus.HeaderBadJson],
    ['header JSON array', tok(b64u('[1]'), P), JwtStatus.HeaderBadJson],
    ['header without alg', tok({ kid: 'x' }, P), JwtStatus.HeaderBadAlg],
    ['alg not a string', tok({ alg: 256 }, P), JwtStatus.HeaderBadAlg],
    ['alg none', tok({ alg: 'none' }, P), JwtStatus.HeaderNotImplementedAlg],
    ['alg lower case', tok({ alg: 'rs256' }, P), JwtStatus.HeaderNotImplementedAlg],
    ['alg ES256K', tok({ alg: 'ES256K' }, P), JwtStatus.HeaderNotImplementedAlg],
    ['kid number', tok({ alg: 'RS256', kid: 7 }, P), JwtStatus.HeaderBadKid],
    ['payload not base64url', tok(H, '***'), JwtStatus.PayloadBadBase64],
    ['payload not JSON', tok(H, b64u('{')), JwtStatus.PayloadBadJson],
    ['payload JSON string', tok(H, b64u('"x"')), JwtStatus.PayloadBadJson],
    ['payload invalid UTF-8', tok(H, b64u(Buffer.from([0x7b, 0xff, 0x7d]))), JwtStatus.PayloadBadJson],
    ['iss number', tok(H, { iss: 1 }), JwtStatus.IssNotString],
    ['sub list', tok(H, { sub: ['a'] }), JwtStatus.SubNotString],
    ['iat string', tok(H, { iat: '1' }), JwtStatus.IatNotInteger],
    ['iat negative', tok(H, { iat: -1 }), JwtStatus.IatOutOfRange],
    ['nbf bool', tok(H, { nbf: true }), JwtStatus.NbfNotInteger],
    ['nbf huge', tok(H, { nbf: 1e20 }), JwtStatus.NbfOutOfRange],
    ['exp string date', tok(H, { exp: '2030-01-01' }), JwtStatus.ExpNotInteger],
    ['exp null', tok(H, { exp: null }), JwtStatus.ExpNotInteger],
    ['exp negative', tok(H, { exp: -5 }), JwtStatus.ExpOutOfRange],
    ['jti number', tok(H, { jti: 5 }), JwtStatus.JtiNotString],
    ['aud number', tok(H, { aud: 5 }), JwtStatus.AudNotString],
    ['aud mixed list', tok(H, { aud: ['a', 1] }), JwtStatus.AudNotString],
    ['signature not base64url', tok(H, P, 'a+b'), JwtStatus.SignatureBadBase64],
    ['iss checked before exp', tok(H, { iss: 1, exp: 'x' }), JwtStatus.IssNotString],
    ['iat checked before nbf and exp', tok(H, { iat: 'x', nbf: 'y', exp: 'z' }), JwtStatus.IatNotInteger],
  ];
  it.each(cases)('%s', (_name, token, status) => {
    const r = parseJwt(token);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(status);
  });

  it('accepts a well-formed token and reads Envoy fields', () => {
    const r = parseJwt(tok({ alg: 'ES256', kid: 'k' }, { iss: 'i', sub: 's', aud: 'a', exp: 10.9, nbf: 2, iat: 1 }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.jwt).toMatchObject({ alg: 'ES256', kid: 'k', iss: 'i', sub: 's', audiences: ['a'], exp: 10, nbf: 2, iat: 1 });
    }
  });

  it('treats absent kid, sub, exp as empty / 0 like Envoy', () => {
    const r = parseJwt(tok({ alg: 'HS256' }, { iss: 'i' }));
    expect(r.ok && r.jwt.kid === '' && r.jwt.sub === '' && r.jwt.exp === 0 && r.jwt.audiences.length === 0).toBe(true);
  });

  it('accepts correctly padded base64url sections', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    const padded = h + '='.repeat((4 - (h.length % 4)) % 4);
    expect(parseJwt(`${padded}.${P}.${S}`).ok).toBe(true);
  });
});
