// Key selection and signature verification as google/jwt_verify_lib verify.cc does it:
// skip a key when both kids are set and differ, or when the key's alg differs from the
// token's; then the key type (not the token's alg) picks the algorithm family.
import { createHmac, timingSafeEqual, verify as cryptoVerify, constants } from 'node:crypto';
import type { Jwk } from './jwks.js';
import type { ParsedJwt } from './parse.js';
import { JwtStatus } from './status.js';

export interface KeySelection {
  /** Keys that passed the kid/alg filter, in JWKS order. */
  candidates: Jwk[];
  /** Status of the signature step: OK, or the Envoy failure. */
  status: string;
  /** The key that verified, when one did. */
  verifiedBy?: Jwk;
}

function shaFor(alg: string): 'sha256' | 'sha384' | 'sha512' {
  if (alg.endsWith('384')) return 'sha384';
  if (alg.endsWith('512')) return 'sha512';
  return 'sha256';
}

// ECDSA as BoringSSL's ECDSA_do_verify is fed by Envoy: r and s are the two halves of the
// signature, whatever its length; re-encode as DER so that OpenSSL sees the same integers.
function derInteger(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let v = Buffer.from(bytes.subarray(i));
  if (v.length === 0) v = Buffer.from([0]);
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

function ecdsaDer(sig: Uint8Array): Buffer {
  const half = Math.floor(sig.length / 2);
  const body = Buffer.concat([derInteger(sig.subarray(0, half)), derInteger(sig.subarray(half, half * 2))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function safe(fn: () => boolean): boolean {
  try {
    return fn();
  } catch {
    return false;
  }
}

/** 'ok' | 'fail' | 'ed25519-length' for one key. */
function verifyWithKey(jwt: ParsedJwt, key: Jwk): 'ok' | 'fail' | 'ed25519-length' {
  const data = Buffer.from(jwt.signingInput, 'latin1');
  const sig = jwt.signature;
  const md = shaFor(jwt.alg);
  if (key.kty === 'EC') {
    if (!key.publicKey || sig.length === 0) return 'fail';
    return safe(() => cryptoVerify(md, data, { key: key.publicKey!, dsaEncoding: 'der' }, ecdsaDer(sig))) ? 'ok' : 'fail';
  }
  if (key.kty === 'RSA') {
    if (!key.publicKey) return 'fail';
    if (jwt.alg.startsWith('RS')) {
      return safe(() => cryptoVerify(md, data, { key: key.publicKey!, padding: constants.RSA_PKCS1_PADDING }, sig)) ? 'ok' : 'fail';
    }
    if (jwt.alg.startsWith('PS')) {
      return safe(() =>
        cryptoVerify(md, data, {
          key: key.publicKey!,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        }, sig),
      ) ? 'ok' : 'fail';
    }
    return 'fail';
  }
  if (key.kty === 'oct') {
    if (!key.secret) return 'fail';
    const mac = createHmac(md, key.secret).update(data).digest();
    return mac.length === sig.length && timingSafeEqual(mac, sig) ? 'ok' : 'fail';
  }
  if (key.kty === 'OKP' && key.crv === 'Ed25519') {
    if (sig.length !== 64) return 'ed25519-length';
    if (!key.publicKey) return 'fail';
    return safe(() => cryptoVerify(null, data, key.publicKey!, sig)) ? 'ok' : 'fail';
  }
  return 'fail';
}

export function selectAndVerify(jwt: ParsedJwt, keys: readonly Jwk[]): KeySelection {
  const candidates: Jwk[] = [];
  for (const key of keys) {
    if (jwt.kid !== '' && key.kid !== '' && key.kid !== jwt.kid) continue;
    if (key.alg !== '' && key.alg !== jwt.alg) continue;
    candidates.push(key);
    const r = verifyWithKey(jwt, key);
    if (r === 'ok') return { candidates, status: JwtStatus.Ok, verifiedBy: key };
    if (r === 'ed25519-length') return { candidates, status: JwtStatus.Ed25519SignatureWrongLength };
  }
  return {
    candidates,
    status: candidates.length > 0 ? JwtStatus.VerificationFail : JwtStatus.JwksKidAlgMismatch,
  };
}
