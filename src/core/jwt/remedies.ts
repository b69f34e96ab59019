// What to do about each Envoy jwt_authn status: one catalogue, used by check-token and logs.
import { JwtStatus } from './status.js';

const REMEDIES: Record<string, string> = {
  [JwtStatus.Missing]: 'Send the token as "Authorization: Bearer <token>", or as ?access_token=<token> from a browser WebSocket.',
  [JwtStatus.NotYetValid]: "The token's nbf is more than 60 s in the future: check the clock of the token issuer and of the nodes.",
  [JwtStatus.Expired]: 'Get a fresh token from the provider (Envoy allows only 60 s of clock skew).',
  [JwtStatus.BadFormat]: 'Send the bare JWT (three base64url parts separated by two dots), without quotes, spaces or the word "Bearer" twice.',
  [JwtStatus.HeaderBadBase64]: 'The token is damaged (header is not base64url): copy it again, without line breaks.',
  [JwtStatus.HeaderBadJson]: 'The token is damaged (header is not JSON): copy it again.',
  [JwtStatus.HeaderBadAlg]: 'The token has no alg in its header: it is not a signed JWT.',
  [JwtStatus.HeaderNotImplementedAlg]: 'Envoy accepts ES256/384/512, RS256/384/512, PS256/384/512, HS256/384/512 and EdDSA: configure the provider to sign with one of them (never alg none).',
  [JwtStatus.HeaderBadKid]: 'The token header kid must be a string: fix the issuer.',
  [JwtStatus.PayloadBadBase64]: 'The token is damaged (payload is not base64url): copy it again.',
  [JwtStatus.PayloadBadJson]: 'The token is damaged (payload is not JSON): copy it again.',
  [JwtStatus.IssNotString]: 'The iss claim must be a string: fix the issuer.',
  [JwtStatus.SubNotString]: 'The sub claim must be a string: fix the issuer.',
  [JwtStatus.IatNotInteger]: 'iat must be a number of seconds: fix the issuer.',
  [JwtStatus.IatOutOfRange]: 'iat must be a non-negative number of seconds: fix the issuer.',
  [JwtStatus.NbfNotInteger]: 'nbf must be a number of seconds: fix the issuer.',
  [JwtStatus.NbfOutOfRange]: 'nbf must be a non-negative number of seconds: fix the issuer.',
  [JwtStatus.ExpNotInteger]: 'exp must be a number of seconds (not a string or milliseconds date): fix the issuer.',
  [JwtStatus.ExpOutOfRange]: 'exp must be a non-negative number of seconds: fix the issuer.',
  [JwtStatus.JtiNotString]: 'The jti claim must be a string: fix the issuer.',
  [JwtStatus.AudNotString]: 'aud must be a string or a list of strings: fix the issuer.',
  [JwtStatus.SignatureBadBase64]: 'The token is damaged (signature is not base64url): copy it again.',
  [JwtStatus.Ed25519SignatureWrongLength]: 'The EdDSA signature is not 64 bytes: the token is damaged or not Ed25519.',
  [JwtStatus.UnknownIssuer]: "Compare the token's iss with the RequestAuthentication's issuer, byte for byte (a trailing slash counts); run kubectl omnia-auth check-token with the token.",
  [JwtStatus.AudienceNotAllowed]: "Request the token for one of the configured audiences (Auth0: the API identifier as audience), or add the token's aud to the RequestAuthentication's audiences.",
  [JwtStatus.VerificationFail]: 'No key with a matching kid verified the signature: the token was signed by another issuer or key, or was altered.',
  [JwtStatus.JwksKidAlgMismatch]: "The token's kid is not in the JWKS istiod pushed: after a key rotation istiod can lag up to 20 min (restart istiod to refetch), or the jwksUri points at another tenant's keys.",
  [JwtStatus.JwksNoValidKeys]: 'The JWKS has no usable key (istiod could not fetch it, or it is empty or malformed): check the jwksUri from istiod, and istiod logs for "Failed to fetch public key".',
  [JwtStatus.JwksFetchFail]: 'Envoy could not fetch the JWKS: check that the jwksUri is reachable from the mesh.',
};

export function remedyForJwtStatus(status: string): string | undefined {
  return REMEDIES[status];
}
