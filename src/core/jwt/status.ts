// Envoy jwt_authn status strings, exactly as google/jwt_verify_lib's getStatusString()
// prints them (reference §2). They are the body of Envoy's 401/403 answer and, with spaces
// replaced by underscores, the RESPONSE_CODE_DETAILS `jwt_authn_access_denied{...}`.

export const JwtStatus = {
  Ok: 'OK',
  Missing: 'Jwt is missing',
  NotYetValid: 'Jwt not yet valid',
  Expired: 'Jwt is expired',
  BadFormat: 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
  HeaderBadBase64: 'Jwt header is an invalid Base64url encoded',
  HeaderBadJson: 'Jwt header is an invalid JSON',
  HeaderBadAlg: 'Jwt header [alg] field is required and must be a string',
  HeaderNotImplementedAlg: 'Jwt header [alg] is not supported',
  HeaderBadKid: 'Jwt header [kid] field is not a string',
  PayloadBadBase64: 'Jwt payload is an invalid Base64url encoded',
  PayloadBadJson: 'Jwt payload is an invalid JSON',
  IssNotString: 'Jwt payload [iss] field is not a string',
  SubNotString: 'Jwt payload [sub] field is not a string',
  IatNotInteger: 'Jwt payload [iat] field is not an integer',
  IatOutOfRange: 'Jwt payload [iat] field is not a positive 64 bit integer',
  NbfNotInteger: 'Jwt payload [nbf] field is not an integer',
  NbfOutOfRange: 'Jwt payload [nbf] field is not a positive 64 bit integer',
  ExpNotInteger: 'Jwt payload [exp] field is not an integer',
  ExpOutOfRange: 'Jwt payload [exp] field is not a positive 64 bit integer',
  JtiNotString: 'Jwt payload [jti] field is not a string',
  AudNotString: 'Jwt payload [aud] field is not a string or string list',
  SignatureBadBase64: 'Jwt signature is an invalid Base64url encoded',
  Ed25519SignatureWrongLength: 'Jwt ED25519 signature is wrong length',
  UnknownIssuer: 'Jwt issuer is not configured',
  AudienceNotAllowed: 'Audiences in Jwt are not allowed',
  VerificationFail: 'Jwt verification fails',
  JwksNoValidKeys: "Jwks doesn't have any valid public key",
  JwksKidAlgMismatch: "Jwks doesn't have key to match kid or alg from Jwt",
  JwksFetchFail: 'Jwks remote fetch is failed',
} as const;

export type JwtStatusText = (typeof JwtStatus)[keyof typeof JwtStatus];

/** Every status a request can end with in jwt_authn (the set the fuzz test checks against). */
export const JWT_STATUSES: ReadonlySet<string> = new Set(Object.values(JwtStatus));

/**
 * Why Envoy could not use one JWK of a JWKS (jwks.cc); such a key is skipped. These never
 * reach the client: they explain a `Jwks doesn't have any valid public key`.
 */
export const JwkProblem = {
  JwksParseError: 'Jwks is an invalid JSON',
  JwksNoKeys: 'Jwks does not have [keys] field',
  JwksBadKeys: '[keys] in Jwks is not an array',
  MissingKty: '[kty] is missing in [keys]',
  BadKty: '[kty] is bad in [keys]',
  NotImplementedKty: '[kty] is not supported in [keys]',
  RsaBadAlg: '[alg] is not started with [RS] or [PS] for an RSA key',
  RsaMissingN: '[n] field is missing for a RSA key',
  RsaBadN: '[n] field is not string for a RSA key',
  RsaMissingE: '[e] field is missing for a RSA key',
  RsaBadE: '[e] field is not string for a RSA key',
  RsaParseError: 'Jwks RSA [n] or [e] field is missing or has a parse error',
  EcBadAlg: '[alg] is not started with [ES] for an EC key',
  EcBadCrv: '[crv] field is not string for an EC key',
  EcAlgOrCrvUnsupported: '[crv] or [alg] field is not supported for an EC key',
  EcAlgNotCompatibleWithCrv: '[crv] field specified is not compatible with [alg] for an EC key',
  EcMissingX: '[x] field is missing for an EC key',
  EcBadX: '[x] field is not string for an EC key',
  EcMissingY: '[y] field is missing for an EC key',
  EcBadY: '[y] field is not string for an EC key',
  EcXorYBadBase64: 'Jwks EC [x] or [y] field is an invalid Base64.',
  EcParseError: 'Jwks EC [x] and [y] fields have a parse error.',
  HmacBadAlg: '[alg] does not start with [HS] for an HMAC key',
  HmacMissingK: '[k] field is missing for an HMAC key',
  HmacBadK: '[k] field is not string for an HMAC key',
  OctBadBase64: 'Jwks Oct key is an invalid Base64',
  OkpBadAlg: '[alg] is not [EdDSA] for an OKP key',
  OkpMissingCrv: '[crv] field is missing for an OKP key',
  OkpBadCrv: '[crv] field is not string for an OKP key',
  OkpCrvUnsupported: '[crv] field is not supported for an OKP key',
  OkpMissingX: '[x] field is missing for an OKP key',
  OkpBadX: '[x] field is not string for an OKP key',
  OkpXBadBase64: 'Jwks OKP [x] field is an invalid Base64.',
  OkpXWrongLength: 'Jwks OKP [x] field is wrong length.',
  X509ParseError: 'X509 parse pubkey fails',
  X509GetPubkeyError: 'X509 parse pubkey internal fails: get pubkey',
} as const;

/** HTTP status Envoy answers for a failed jwt_authn status: 403 for the audience, else 401. */
export function httpStatusForJwtFailure(status: string): 401 | 403 {
  return status === JwtStatus.AudienceNotAllowed ? 403 : 401;
}

/** The access-log RESPONSE_CODE_DETAILS for a jwt_authn failure. */
export function responseCodeDetails(status: string): string {
  return `jwt_authn_access_denied{${status.replace(/ /g, '_')}}`;
}

/** Inverse of responseCodeDetails: the status inside `jwt_authn_access_denied{...}`. */
export function statusFromResponseCodeDetails(details: string): string | undefined {
  const m = /^jwt_authn_access_denied\{(.*)\}$/.exec(details);
  return m ? m[1]!.replace(/_/g, ' ') : undefined;
}
