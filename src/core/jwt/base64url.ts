// Base64url decoding with the acceptance rules of absl::WebSafeBase64Unescape, which Envoy
// uses for every JWT section and JWK field: the URL-safe alphabet, padding optional but
// correct when present. Buffer.from(..., 'base64url') alone would accept garbage.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Decoded bytes, or undefined when Envoy would reject the input. */
export function decodeBase64url(input: string): Uint8Array | undefined {
  let body = input;
  const firstPad = input.indexOf('=');
  if (firstPad !== -1) {
    body = input.slice(0, firstPad);
    const pad = input.slice(firstPad);
    if (!/^={1,2}$/.test(pad)) return undefined;
    if ((body.length + pad.length) % 4 !== 0) return undefined;
  }
  if (!ALPHABET.test(body)) return undefined;
  if (body.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(body, 'base64url'));
}

export function encodeBase64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64url');
}
