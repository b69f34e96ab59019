import { describe, expect, it } from 'vitest';
import { audienceAllowed, checkTime, sanitizeAudience } from '../../../src/core/jwt/rules.js';

describe('checkTime: fixed 60 s skew', () => {
  const exp = 1_000_000;
  it.each([
    ['now = exp', exp, { ok: true, withinSkew: null }],
    ['now = exp + 1 (inside skew)', exp + 1, { ok: true, withinSkew: 'exp' }],
    ['now = exp + 60 (last accepted second)', exp + 60, { ok: true, withinSkew: 'exp' }],
    ['now = exp + 61 (expired)', exp + 61, { ok: false, reason: 'expired' }],
  ])('%s', (_n, now, verdict) => expect(checkTime(0, exp, now)).toEqual(verdict));

  const nbf = 2_000_000;
  it.each([
    ['now = nbf - 61 (not yet valid)', nbf - 61, { ok: false, reason: 'not-yet-valid' }],
    ['now = nbf - 60 (accepted thanks to skew)', nbf - 60, { ok: true, withinSkew: 'nbf' }],
    ['now = nbf', nbf, { ok: true, withinSkew: null }],
  ])('%s', (_n, now, verdict) => expect(checkTime(nbf, 0, now)).toEqual(verdict));

  it('a token without exp never expires', () => expect(checkTime(0, 0, 9e12)).toEqual({ ok: true, withinSkew: null }));
});

describe('audiences (check_audience.cc)', () => {
  it.each([
    ['https://a/', 'a'], ['http://a', 'a'], ['a/', 'a'], ['https://a//', 'a/'], ['https://', ''], ['ftp://a', 'ftp://a'], ['/', ''],
  ])('sanitizeAudience(%j) = %j', (input, out) => expect(sanitizeAudience(input)).toBe(out));

  it('empty configuration accepts any token, even one without aud', () => expect(audienceAllowed([], [])).toBe(true));
  it('configured audiences require a match', () => expect(audienceAllowed([], ['a'])).toBe(false));
  it('https://a/ in the token matches a configured', () => expect(audienceAllowed(['https://a/'], ['a'])).toBe(true));
  it('a in the token matches https://a/ configured', () => expect(audienceAllowed(['a'], ['https://a/'])).toBe(true));
  it('one of a list is enough', () => expect(audienceAllowed(['x', 'y', 'b'], ['a', 'b'])).toBe(true));
  it('no fuzzy matching beyond scheme and one slash', () => expect(audienceAllowed(['A'], ['a'])).toBe(false));
});
