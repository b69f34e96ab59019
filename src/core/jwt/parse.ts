// Envoy-compatible JWT parsing (google/jwt_verify_lib jwt.cc): the same checks in the same
// order with the same status for each. Never throws.
import { decodeBase64url } from './base64url.js';
import { JwtStatus } from './status.js';

export const SUPPORTED_ALGS: ReadonlySet<string> = new Set([
  'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA',
]);

export type JsonObject = Record<string, unknown>;

export interface ParsedJwt {
  header: JsonObject;
  claims: JsonObject;
  alg: string;
  /** '' when absent, as in Envoy. */
  kid: string;
  iss: string;
  sub: string;
  /** 0 when absent (Envoy's default); whole seconds. */
  iat: number;
  nbf: number;
  exp: number;
  audiences: string[];
  signature: Uint8Array;
  /** `header.payload` exactly as received: the signed bytes. */
  signingInput: string;
}

export type ParseResult =
  | { ok: true; jwt: ParsedJwt }
  /** header/claims are filled as far as parsing got, for display. */
  | { ok: false; status: string; header?: JsonObject; claims?: JsonObject };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(utf8.decode(bytes));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

type Find = 'ok' | 'missing' | 'wrong-type' | 'out-of-range';

function getString(o: JsonObject, k: string): [Find, string] {
  if (!Object.hasOwn(o, k)) return ['missing', ''];
  const v = o[k];
  return typeof v === 'string' ? ['ok', v] : ['wrong-type', ''];
}

// StructUtils::GetUInt64: a JSON number (a double), in [0, 2^64), truncated.
function getUInt64(o: JsonObject, k: string): [Find, number] {
  if (!Object.hasOwn(o, k)) return ['missing', 0];
  const v = o[k];
  if (typeof v !== 'number') return ['wrong-type', 0];
  if (v < 0 || v >= 18446744073709551615) return ['out-of-range', 0];
  return ['ok', Math.trunc(v)];
}

function getStringList(o: JsonObject, k: string): [Find, string[]] {
  if (!Object.hasOwn(o, k)) return ['missing', []];
  const v = o[k];
  if (typeof v === 'string') return ['ok', [v]];
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return ['ok', v as string[]];
    return ['wrong-type', []];
  }
  return ['wrong-type', []];
}

export function parseJwt(token: string): ParseResult {
  const fail = (status: string, header?: JsonObject, claims?: JsonObject): ParseResult => ({
    ok: false, status, ...(header ? { header } : {}), ...(claims ? { claims } : {}),
  });
  let dots = 0;
  for (const c of token) if (c === '.') dots++;
  if (dots !== 2) return fail(JwtStatus.BadFormat);
  const parts = token.split('.').filter((p) => p.length > 0);
  if (parts.length !== 3) return fail(JwtStatus.BadFormat);
  const [h64, p64, s64] = parts as [string, string, string];

  const headerBytes = decodeBase64url(h64);
  if (!headerBytes) return fail(JwtStatus.HeaderBadBase64);
  const header = parseJsonObject(headerBytes);
  if (!header) return fail(JwtStatus.HeaderBadJson);
  const [algFind, alg] = getString(header, 'alg');
  if (algFind !== 'ok') return fail(JwtStatus.HeaderBadAlg, header);
  if (!SUPPORTED_ALGS.has(alg)) return fail(JwtStatus.HeaderNotImplementedAlg, header);
  const [kidFind, kid] = getString(header, 'kid');
  if (kidFind === 'wrong-type') return fail(JwtStatus.HeaderBadKid, header);

  const payloadBytes = decodeBase64url(p64);
  if (!payloadBytes) return fail(JwtStatus.PayloadBadBase64, header);
  const claims = parseJsonObject(payloadBytes);
  if (!claims) return fail(JwtStatus.PayloadBadJson, header);

  const [issFind, iss] = getString(claims, 'iss');
  if (issFind === 'wrong-type') return fail(JwtStatus.IssNotString, header, claims);
  const [subFind, sub] = getString(claims, 'sub');
  if (subFind === 'wrong-type') return fail(JwtStatus.SubNotString, header, claims);
  const times: Record<'iat' | 'nbf' | 'exp', number> = { iat: 0, nbf: 0, exp: 0 };
  const timeErrors = {
    iat: [JwtStatus.IatNotInteger, JwtStatus.IatOutOfRange],
    nbf: [JwtStatus.NbfNotInteger, JwtStatus.NbfOutOfRange],
    exp: [JwtStatus.ExpNotInteger, JwtStatus.ExpOutOfRange],
  } as const;
  for (const k of ['iat', 'nbf', 'exp'] as const) {
    const [f, v] = getUInt64(claims, k);
    if (f === 'wrong-type') return fail(timeErrors[k][0], header, claims);
    if (f === 'out-of-range') return fail(timeErrors[k][1], header, claims);
    times[k] = v;
  }
  const [jtiFind] = getString(claims, 'jti');
  if (jtiFind === 'wrong-type') return fail(JwtStatus.JtiNotString, header, claims);
  const [audFind, audiences] = getStringList(claims, 'aud');
  if (audFind === 'wrong-type') return fail(JwtStatus.AudNotString, header, claims);

  const signature = decodeBase64url(s64);
  if (!signature) return fail(JwtStatus.SignatureBadBase64, header, claims);

  return {
    ok: true,
    jwt: {
      header, claims, alg, kid, iss, sub, ...times, audiences, signature,
      signingInput: `${h64}.${p64}`,
    },
  };
}

/** Best-effort decode for display of a token Envoy rejects: never throws. */
export function decodeForDisplay(token: string): { header?: JsonObject; claims?: JsonObject } {
  const parts = token.split('.');
  const out: { header?: JsonObject; claims?: JsonObject } = {};
  const h = parts[0] !== undefined ? decodeBase64url(parts[0]) : undefined;
  const p = parts[1] !== undefined ? decodeBase64url(parts[1]) : undefined;
  const header = h ? parseJsonObject(h) : undefined;
  const claims = p ? parseJsonObject(p) : undefined;
  if (header) out.header = header;
  if (claims) out.claims = claims;
  return out;
}
