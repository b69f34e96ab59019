// Token and key factories for tests: real keys (node:crypto / jose), real signatures,
// and hand-built tokens for malformed cases.
import { generateKeyPairSync, createSign, createHmac, sign as cryptoSign, constants, type KeyObject } from 'node:crypto';

export const b64u = (v: string | Uint8Array | object): string =>
  Buffer.from(typeof v === 'string' ? v : v instanceof Uint8Array ? v : JSON.stringify(v)).toString('base64url');

export type Alg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'HS256' | 'HS384' | 'HS512' | 'EdDSA';

export interface TestKey {
  alg: Alg;
  kid: string;
  privateKey?: KeyObject;
  secret?: Buffer;
  /** Public JWK (with kid and alg unless told otherwise). */
  jwk: Record<string, unknown>;
}

const cache = new Map<string, TestKey>();

export function makeKey(alg: Alg, kid = `${alg.toLowerCase()}-1`, opts: { withAlg?: boolean; withKid?: boolean; fresh?: boolean } = {}): TestKey {
  const cacheKey = `${alg}/${kid}/${opts.withAlg}/${opts.withKid}`;
  if (!opts.fresh && cache.has(cacheKey)) return cache.get(cacheKey)!;
  let key: TestKey;
  const extra = { ...(opts.withKid === false ? {} : { kid }), ...(opts.withAlg === false ? {} : { alg }) };
  if (alg.startsWith('HS')) {
    const secret = Buffer.from(`secret-for-${kid}-0123456789abcdef0123456789abcdef`);
    key = { alg, kid, secret, jwk: { kty: 'oct', k: secret.toString('base64url'), ...extra } };
  } else {
    let pair: { publicKey: KeyObject; privateKey: KeyObject };
    if (alg.startsWith('RS') || alg.startsWith('PS')) pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    else if (alg === 'EdDSA') pair = generateKeyPairSync('ed25519');
    else pair = generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'] });
    key = { alg, kid, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), ...extra } };
  }
  cache.set(cacheKey, key);
  return key;
}

function signBytes(alg: string, key: TestKey, data: Buffer): Buffer {
  const md = alg.endsWith('384') ? 'sha384' : alg.endsWith('512') ? 'sha512' : 'sha256';
  if (alg.startsWith('HS')) return createHmac(md, key.secret!).update(data).digest();
  if (alg === 'EdDSA') return cryptoSign(null, data, key.privateKey!);
  if (alg.startsWith('ES')) return cryptoSign(md, data, { key: key.privateKey!, dsaEncoding: 'ieee-p1363' });
  if (alg.startsWith('PS')) {
    return cryptoSign(md, data, { key: key.privateKey!, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  return createSign(md).update(data).sign(key.privateKey!);
}

/** A signed token. header defaults to {alg, kid}; a header value of null removes that field. */
export function signed(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const h: Record<string, unknown> = { alg: key.alg, kid: key.kid, ...header };
  for (const [k, v] of Object.entries(h)) if (v === null) delete h[k];
  const input = `${b64u(h)}.${b64u(claims)}`;
  const alg = typeof h['alg'] === 'string' ? (h['alg'] as string) : key.alg;
  return `${input}.${b64u(signBytes(alg, key, Buffer.from(input)))}`;
}

export const jwksOf = (...keys: TestKey[]) => JSON.stringify({ keys: keys.map((k) => k.jwk) });
