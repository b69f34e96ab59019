// JWKS parsing with Envoy's acceptance rules (google/jwt_verify_lib jwks.cc): which keys are
// usable, which are skipped and why. A JWKS with no usable key fails every token with
// `Jwks doesn't have any valid public key`. Pure computation (node:crypto builds key objects).
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { JwkProblem } from './status.js';

export interface Jwk {
  /** Position in the JWKS `keys` array (or in the X509 map). */
  index: number;
  kty: string;
  /** '' when absent. */
  kid: string;
  alg: string;
  crv: string;
  /** RSA, EC and OKP keys; undefined when Envoy keeps the key but it can verify nothing. */
  publicKey?: KeyObject;
  /** oct keys. */
  secret?: Uint8Array;
}

export interface JwkRejection {
  index: number;
  kid?: string;
  problem: string;
}

export interface ParsedJwks {
  keys: Jwk[];
  rejected: JwkRejection[];
  /** A problem with the document as a whole (not JSON, no `keys`, `keys` not an array). */
  error?: string;
}

const X509_PREFIX = '-----BEGIN CERTIFICATE-----\n';
const X509_SUFFIX = '\n-----END CERTIFICATE-----\n';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function str(o: Obj, k: string): ['ok', string] | ['missing' | 'wrong-type', undefined] {
  if (!Object.hasOwn(o, k)) return ['missing', undefined];
  const v = o[k];
  return typeof v === 'string' ? ['ok', v] : ['wrong-type', undefined];
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function leftPad(b: Uint8Array, size: number): Uint8Array | undefined {
  const s = stripLeadingZeros(b);
  if (s.length > size) return undefined;
  const out = new Uint8Array(size);
  out.set(s, size - s.length);
  return out;
}

function bigEndianEquals(b: Uint8Array, n: number): boolean {
  const s = stripLeadingZeros(b);
  let v = 0;
  for (const x of s) v = v * 256 + x;
  return s.length <= 4 && v === n;
}

const EC_SIZES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

function extractRsa(o: Obj, k: Jwk): string | undefined {
  if (k.alg !== '' && !(k.alg.startsWith('RS') || k.alg.startsWith('PS'))) return JwkProblem.RsaBadAlg;
  const [nf, n] = str(o, 'n');
  if (nf === 'missing') return JwkProblem.RsaMissingN;
  if (nf === 'wrong-type') return JwkProblem.RsaBadN;
  const [ef, e] = str(o, 'e');
  if (ef === 'missing') return JwkProblem.RsaMissingE;
  if (ef === 'wrong-type') return JwkProblem.RsaBadE;
  const nb = decodeBase64url(n!);
  const eb = decodeBase64url(e!);
  if (!nb || !eb) return JwkProblem.RsaParseError;
  if (!bigEndianEquals(eb, 3) && !bigEndianEquals(eb, 65537)) return JwkProblem.RsaParseError;
  try {
    k.publicKey = createPublicKey({
      key: { kty: 'RSA', n: encodeBase64url(stripLeadingZeros(nb)), e: encodeBase64url(stripLeadingZeros(eb)) },
      format: 'jwk',
    });
  } catch {
    // BoringSSL accepts the numbers; such a key simply verifies nothing.
  }
  return undefined;
}

function extractEc(o: Obj, k: Jwk): string | undefined {
  if (k.alg !== '' && !k.alg.startsWith('ES')) return JwkProblem.EcBadAlg;
  const [cf, crv] = str(o, 'crv');
  if (cf === 'wrong-type') return JwkProblem.EcBadCrv;
  k.crv = crv ?? '';
  if (k.alg !== '' && k.crv !== '') {
    const ok = (k.alg === 'ES256' && k.crv === 'P-256') || (k.alg === 'ES384' && k.crv === 'P-384') ||
      (k.alg === 'ES512' && k.crv === 'P-521');
    if (!ok) return JwkProblem.EcAlgNotCompatibleWithCrv;
  }
  if (k.alg === '' && k.crv === '') k.crv = 'P-256';
  if (k.alg === 'ES256' || k.crv === 'P-256') k.crv = 'P-256';
  else if (k.alg === 'ES384' || k.crv === 'P-384') k.crv = 'P-384';
  else if (k.alg === 'ES512' || k.crv === 'P-521') k.crv = 'P-521';
  else return JwkProblem.EcAlgOrCrvUnsupported;
  const [xf, x] = str(o, 'x');
  if (xf === 'missing') return JwkProblem.EcMissingX;
  if (xf === 'wrong-type') return JwkProblem.EcBadX;
  const [yf, y] = str(o, 'y');
  if (yf === 'missing') return JwkProblem.EcMissingY;
  if (yf === 'wrong-type') return JwkProblem.EcBadY;
  const xb = decodeBase64url(x!);
  const yb = decodeBase64url(y!);
  if (!xb || !yb) return JwkProblem.EcXorYBadBase64;
  const size = EC_SIZES[k.crv]!;
  const xp = leftPad(xb, size);
  const yp = leftPad(yb, size);
  if (!xp || !yp) return JwkProblem.EcParseError;
  try {
    k.publicKey = createPublicKey({
      key: { kty: 'EC', crv: k.crv, x: encodeBase64url(xp), y: encodeBase64url(yp) },
      format: 'jwk',
    });
  } catch {
    return JwkProblem.EcParseError;
  }
  return undefined;
}

function extractOct(o: Obj, k: Jwk): string | undefined {
  if (k.alg !== '' && k.alg !== 'HS256' && k.alg !== 'HS384' && k.alg !== 'HS512') return JwkProblem.HmacBadAlg;
  const [kf, kv] = str(o, 'k');
  if (kf === 'missing') return JwkProblem.HmacMissingK;
  if (kf === 'wrong-type') return JwkProblem.HmacBadK;
  const secret = decodeBase64url(kv!);
  if (!secret || secret.length === 0) return JwkProblem.OctBadBase64;
  k.secret = secret;
  return undefined;
}

function extractOkp(o: Obj, k: Jwk): string | undefined {
  if (k.alg !== '' && k.alg !== 'EdDSA') return JwkProblem.OkpBadAlg;
  const [cf, crv] = str(o, 'crv');
  if (cf === 'missing') return JwkProblem.OkpMissingCrv;
  if (cf === 'wrong-type') return JwkProblem.OkpBadCrv;
  k.crv = crv!;
  if (k.crv !== 'Ed25519') return JwkProblem.OkpCrvUnsupported;
  const [xf, x] = str(o, 'x');
  if (xf === 'missing') return JwkProblem.OkpMissingX;
  if (xf === 'wrong-type') return JwkProblem.OkpBadX;
  const xb = decodeBase64url(x!);
  if (!xb) return JwkProblem.OkpXBadBase64;
  if (xb.length !== 32) return JwkProblem.OkpXWrongLength;
  try {
    k.publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(xb) }, format: 'jwk' });
  } catch {
    // kept, verifies nothing
  }
  return undefined;
}

function extractJwk(o: Obj, index: number): Jwk | JwkRejection {
  const k: Jwk = { index, kty: '', kid: '', alg: '', crv: '' };
  const [tf, kty] = str(o, 'kty');
  const kidValue = typeof o['kid'] === 'string' ? (o['kid'] as string) : undefined;
  const reject = (problem: string): JwkRejection => ({ index, ...(kidValue !== undefined ? { kid: kidValue } : {}), problem });
  if (tf === 'missing') return reject(JwkProblem.MissingKty);
  if (tf === 'wrong-type') return reject(JwkProblem.BadKty);
  k.kty = kty!;
  k.kid = kidValue ?? '';
  k.alg = typeof o['alg'] === 'string' ? (o['alg'] as string) : '';
  let problem: string | undefined;
  if (k.kty === 'EC') problem = extractEc(o, k);
  else if (k.kty === 'RSA') problem = extractRsa(o, k);
  else if (k.kty === 'oct') problem = extractOct(o, k);
  else if (k.kty === 'OKP') problem = extractOkp(o, k);
  else problem = JwkProblem.NotImplementedKty;
  return problem ? reject(problem) : k;
}

function isX509Map(o: Obj): boolean {
  const entries = Object.entries(o);
  if (entries.length === 0) return false;
  return entries.every(([kid, v]) => kid !== '' && typeof v === 'string' && v.startsWith(X509_PREFIX) && v.endsWith(X509_SUFFIX));
}

function fromX509(o: Obj): ParsedJwks {
  const keys: Jwk[] = [];
  let index = 0;
  for (const [kid, pem] of Object.entries(o)) {
    try {
      const pub = new X509Certificate(pem as string).publicKey;
      if (pub.asymmetricKeyType !== 'rsa') {
        return { keys: [], rejected: [{ index, kid, problem: JwkProblem.X509GetPubkeyError }] };
      }
      keys.push({ index, kty: 'RSA', kid, alg: '', crv: '', publicKey: pub });
    } catch {
      return { keys: [], rejected: [{ index, kid, problem: JwkProblem.X509ParseError }] };
    }
    index++;
  }
  return { keys, rejected: [] };
}

/** Parse JWKS text the way Envoy does with an inline (istiod-fetched) JWKS. */
export function parseJwks(text: string): ParsedJwks {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { keys: [], rejected: [], error: JwkProblem.JwksParseError };
  }
  if (!isObj(doc)) return { keys: [], rejected: [], error: JwkProblem.JwksParseError };
  if (!Object.hasOwn(doc, 'keys')) {
    if (isX509Map(doc)) return fromX509(doc);
    return { keys: [], rejected: [], error: JwkProblem.JwksNoKeys };
  }
  const list = doc['keys'];
  if (!Array.isArray(list)) return { keys: [], rejected: [], error: JwkProblem.JwksBadKeys };
  const keys: Jwk[] = [];
  const rejected: JwkRejection[] = [];
  list.forEach((entry, index) => {
    if (!isObj(entry)) return; // Envoy skips non-object entries silently
    const r = extractJwk(entry, index);
    if ('problem' in r) rejected.push(r);
    else keys.push(r);
  });
  return { keys, rejected };
}

/** The list Envoy can use: none means `Jwks doesn't have any valid public key` for every token. */
export function usableKeys(jwks: ParsedJwks): Jwk[] {
  return jwks.error ? [] : jwks.keys;
}
