// Envoy's jwt_authn verdict for one token against one jwtRule, in Envoy's order:
// parse -> issuer -> time -> audience -> keys and signature. Every step is computed
// (for the report), but the verdict is the first failure, as Envoy stops there.
import type { Jwk, ParsedJwks } from './jwks.js';
import { usableKeys } from './jwks.js';
import { parseJwt, decodeForDisplay, type JsonObject, type ParsedJwt } from './parse.js';
import { audienceAllowed, checkTime, issuerMatches, type TimeVerdict } from './rules.js';
import { JwtStatus } from './status.js';
import { selectAndVerify, type KeySelection } from './verify.js';

export interface JwtRuleInput {
  /** undefined: not known (the issuer step is skipped, as a warning). */
  issuer?: string;
  audiences: readonly string[];
}

export interface EvaluateInput {
  /** The bare token; '' means no token at all. */
  token: string;
  rule: JwtRuleInput;
  /** undefined: no JWKS could be obtained. */
  jwks?: ParsedJwks;
  /** Unix seconds. */
  now: number;
}

export type Stage = 'missing' | 'parse' | 'issuer' | 'time' | 'audience' | 'keys' | 'signature' | 'ok';

export interface JwtEvaluation {
  /** Envoy's status, or null when it cannot be told (keys needed but unavailable). */
  status: string | null;
  /** Where the verdict was decided. */
  stage: Stage;
  header: JsonObject | null;
  claims: JsonObject | null;
  parsed?: ParsedJwt;
  parseStatus: string;
  issuer: 'match' | 'mismatch' | 'unchecked' | 'n/a';
  time?: TimeVerdict;
  audience?: boolean;
  /** Set when keys were available and the token parsed. */
  keys?: KeySelection & { usable: Jwk[] };
}

export function evaluateJwt(input: EvaluateInput): JwtEvaluation {
  if (input.token === '') {
    return { status: JwtStatus.Missing, stage: 'missing', header: null, claims: null, parseStatus: JwtStatus.Missing, issuer: 'n/a' };
  }
  const parsed = parseJwt(input.token);
  if (!parsed.ok) {
    const shown = parsed.header || parsed.claims ? parsed : decodeForDisplay(input.token);
    return {
      status: parsed.status, stage: 'parse', header: shown.header ?? null, claims: shown.claims ?? null,
      parseStatus: parsed.status, issuer: 'n/a',
    };
  }
  const jwt = parsed.jwt;
  const issuer = input.rule.issuer === undefined ? 'unchecked' : issuerMatches(jwt.iss, input.rule.issuer) ? 'match' : 'mismatch';
  const time = checkTime(jwt.nbf, jwt.exp, input.now);
  const audience = audienceAllowed(jwt.audiences, input.rule.audiences);
  let keys: JwtEvaluation['keys'];
  if (input.jwks) {
    const usable = usableKeys(input.jwks);
    const selection = usable.length === 0
      ? { candidates: [], status: JwtStatus.JwksNoValidKeys }
      : selectAndVerify(jwt, usable);
    keys = { ...selection, usable };
  }
  const base = { header: jwt.header, claims: jwt.claims, parsed: jwt, parseStatus: JwtStatus.Ok, issuer, time, audience, ...(keys ? { keys } : {}) } as const;
  if (issuer === 'mismatch') return { ...base, status: JwtStatus.UnknownIssuer, stage: 'issuer' };
  if (!time.ok) {
    return { ...base, status: time.reason === 'expired' ? JwtStatus.Expired : JwtStatus.NotYetValid, stage: 'time' };
  }
  if (!audience) return { ...base, status: JwtStatus.AudienceNotAllowed, stage: 'audience' };
  if (!keys) return { ...base, status: null, stage: 'keys' };
  if (keys.status === JwtStatus.Ok) return { ...base, status: JwtStatus.Ok, stage: 'ok' };
  const stage: Stage = keys.status === JwtStatus.VerificationFail || keys.status === JwtStatus.Ed25519SignatureWrongLength ? 'signature' : 'keys';
  return { ...base, status: keys.status, stage };
}
