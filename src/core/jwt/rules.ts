// The non-cryptographic jwt_authn checks, one rule each (reference §2, steps 3 to 5).

/** Envoy's clock skew for Istio-generated providers: fixed, not configurable in Istio. */
export const CLOCK_SKEW_SECONDS = 60;

/** Step 3: the token's iss must equal a configured issuer byte for byte. */
export function issuerMatches(tokenIss: string, configured: string): boolean {
  return tokenIss === configured;
}

export type TimeVerdict =
  | { ok: true; withinSkew: 'nbf' | 'exp' | null }
  | { ok: false; reason: 'not-yet-valid' | 'expired' };

/** Step 4: nbf and exp with the 60 s skew; exp 0 (absent) never expires; iat is ignored. */
export function checkTime(nbf: number, exp: number, now: number, skew = CLOCK_SKEW_SECONDS): TimeVerdict {
  if (now + skew < nbf) return { ok: false, reason: 'not-yet-valid' };
  if (exp !== 0 && now > exp + skew) return { ok: false, reason: 'expired' };
  if (now < nbf) return { ok: true, withinSkew: 'nbf' };
  if (exp !== 0 && now > exp) return { ok: true, withinSkew: 'exp' };
  return { ok: true, withinSkew: null };
}

/** check_audience.cc: drop a leading http:// or https:// and one trailing slash. */
export function sanitizeAudience(aud: string): string {
  let begin = 0;
  if (aud.startsWith('http://')) begin = 'http://'.length;
  else if (aud.startsWith('https://')) begin = 'https://'.length;
  let end = aud.length;
  if (end > begin && aud[end - 1] === '/') end--;
  return aud.slice(begin, end);
}

/** Step 5: empty configuration accepts anything; otherwise one sanitized match is enough. */
export function audienceAllowed(tokenAudiences: readonly string[], configured: readonly string[]): boolean {
  if (configured.length === 0) return true;
  const allowed = new Set(configured.map(sanitizeAudience));
  return tokenAudiences.some((a) => allowed.has(sanitizeAudience(a)));
}
