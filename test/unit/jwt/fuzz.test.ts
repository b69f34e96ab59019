// 100,000 generated and mutated tokens: the evaluator never throws and always answers with a
// status from Envoy's set.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateJwt } from '../../../src/core/jwt/evaluate.js';
import { parseJwks } from '../../../src/core/jwt/jwks.js';
import { JWT_STATUSES } from '../../../src/core/jwt/status.js';
import { b64u, jwksOf, makeKey, signed } from '../../support/tokens.js';

const NOW = 1_800_000_000;
const hs = makeKey('HS256', 'h');
const es = makeKey('ES256', 'e');
const ed = makeKey('EdDSA', 'd');
const jwks = parseJwks(jwksOf(hs, es, ed));
const seeds = [
  signed(hs, { iss: 'i', sub: 's', aud: 'a', exp: NOW + 100 }),
  signed(es, { iss: 'i', sub: 's', exp: NOW - 100 }),
  signed(ed, { iss: 'i', aud: ['a', 'b'], nbf: NOW + 1000 }),
];

const jsonValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
const claimKeys = fc.constantFrom('iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'alg', 'kid', 'scope');

const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('flip', 'drop', 'insert', 'dot')), { maxLength: 4 }))
  .map(([seed, edits]) => {
    let t = seed;
    for (const [pos, ch, kind] of edits) {
      const i = pos % (t.length + 1);
      const c = 'AZaz09-_.=+/ {"'.charAt(ch % 16);
      if (kind === 'flip') t = t.slice(0, i) + c + t.slice(i + 1);
      else if (kind === 'drop') t = t.slice(0, i) + t.slice(i + 1);
      else if (kind === 'insert') t = t.slice(0, i) + c + t.slice(i);
      else t = t.slice(0, i) + '.' + t.slice(i);
    }
    return t;
  });

const built = fc.tuple(fc.dictionary(claimKeys, jsonValue, { maxKeys: 4 }), fc.dictionary(claimKeys, jsonValue, { maxKeys: 6 }), fc.uint8Array({ maxLength: 80 }))
  .map(([h, p, sig]) => `${b64u(h)}.${b64u(p)}.${b64u(sig)}`);

const anything = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated, built, mutated, built);

describe('fuzz: Envoy status set', () => {
  it('100,000 tokens never throw and always give an Envoy status', () => {
    const audiences = [[], ['a']];
    fc.assert(
      fc.property(anything, fc.boolean(), fc.nat(1), (token, withIssuer, ai) => {
        const ev = evaluateJwt({ token, rule: { ...(withIssuer ? { issuer: 'i' } : {}), audiences: audiences[ai]! }, jwks, now: NOW });
        expect(ev.status).not.toBeNull();
        expect(JWT_STATUSES.has(ev.status!)).toBe(true);
      }),
      { numRuns: 100_000, seed: 20261203 },
    );
  });
});
