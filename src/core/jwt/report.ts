// check-token's judgement: the Envoy verdict plus the checks a user reads (pass/fail/warn/skip,
// each failure with a remedy). Pure: fetched bodies and timings come in as facts.
import { formatDuration, isoDate, relative } from '../format.js';
import { evaluateJwt, type JwtEvaluation } from './evaluate.js';
import { parseJwks, type Jwk, type ParsedJwks } from './jwks.js';
import type { JsonObject } from './parse.js';
import { remedyForJwtStatus } from './remedies.js';
import { CLOCK_SKEW_SECONDS } from './rules.js';
import { JwtStatus, httpStatusForJwtFailure, responseCodeDetails } from './status.js';
import { redactToken, type TokenSource } from './token-input.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  remedy?: string;
}

/** A fetch as the HTTP adapter reports it (structural: core does not import adapters). */
export interface FetchFacts {
  ok: boolean;
  url: string;
  ms: number;
  status?: number;
  failure?: string;
  message?: string;
  body?: string;
}

export interface KeySourceFacts {
  mode: 'jwks-file' | 'jwks-uri' | 'discovery' | 'none';
  discovery?: {
    issuer: string;
    fromToken: boolean;
    fetch: FetchFacts;
    document?: Record<string, unknown>;
    invalid?: string;
  };
  jwks?: {
    source: string;
    fetch?: FetchFacts;
    /** The JWKS text, when it was read or fetched. */
    text?: string;
    readError?: string;
  };
  /** Why no key source was tried (mode 'none'). */
  noneReason?: string;
}

export interface CheckTokenInput {
  token: string;
  tokenSource: TokenSource;
  rule: { issuer?: string; audiences: readonly string[] };
  now: number;
  keySource: KeySourceFacts;
  /** Timeout used for fetches, for messages. */
  timeoutMs: number;
}

export interface CheckTokenResult {
  allowed: boolean | null;
  httpStatus: 200 | 401 | 403 | null;
  body: string | null;
  jwtStatus: string | null;
  checks: Check[];
  token: { header: JsonObject | null; claims: JsonObject | null; preview: string } | null;
  /** RESPONSE_CODE_DETAILS Envoy logs for this outcome (null when allowed or undetermined). */
  responseCodeDetails: string | null;
  hints: string[];
  evaluatedAt: string;
}

function keyLabel(k: Jwk): string {
  const parts = [k.kid ? `kid ${k.kid}` : 'no kid', k.kty];
  if (k.alg) parts.push(k.alg);
  if (k.crv) parts.push(k.crv);
  return parts.join(' ');
}

export function fetchFailureRemedy(f: FetchFacts, what: string, timeoutMs: number): string {
  switch (f.failure) {
    case 'timeout': return `The ${what} host does not answer within ${timeoutMs} ms (istiod gives up after 5 s): check the URL, proxies and firewalls.`;
    case 'dns': return `The ${what} host name does not resolve from here: check the URL for typos.`;
    case 'refused': return `Nothing listens at the ${what} URL: check host and port.`;
    case 'tls': return `The ${what} server's certificate is not trusted: pass --ca-file with its CA (istiod needs it too: pilot-jwks-extra-cacerts / pilot.jwksResolverExtraRootCA).`;
    case 'http-status': return `The ${what} URL answers HTTP ${f.status}: check the path (Keycloak: /realms/<realm>/protocol/openid-connect/certs, Okta: /oauth2/<server>/v1/keys).`;
    case 'too-large': return `The ${what} response is too large to be a JWKS or discovery document: check the URL.`;
    case 'redirects': return `The ${what} URL redirects in a loop or too often: use the final URL.`;
    case 'invalid-url': return 'Use an absolute http:// or https:// URL.';
    default: return `Check that the ${what} URL is reachable from here and from istiod.`;
  }
}

export function checkToken(input: CheckTokenInput): CheckTokenResult {
  const checks: Check[] = [];
  const hints: string[] = [];
  const ks = input.keySource;

  // Key material: parse whatever JWKS text we have, once.
  let jwks: ParsedJwks | undefined;
  if (ks.jwks?.text !== undefined) jwks = parseJwks(ks.jwks.text);

  const ev: JwtEvaluation = evaluateJwt({ token: input.token, rule: input.rule, ...(jwks ? { jwks } : {}), now: input.now });
  const jwt = ev.parsed;

  // token
  if (ev.stage === 'missing') {
    checks.push({ id: 'token', status: 'fail', message: 'no token given (Envoy: Jwt is missing; the AuthorizationPolicies decide)', remedy: remedyForJwtStatus(JwtStatus.Missing)! });
  } else if (ev.stage === 'parse') {
    checks.push({ id: 'token', status: 'fail', message: ev.parseStatus, remedy: remedyForJwtStatus(ev.parseStatus)! });
  } else if (jwt) {
    checks.push({ id: 'token', status: 'pass', message: `well-formed JWT, alg ${jwt.alg}${jwt.kid ? `, kid ${jwt.kid}` : ', no kid'}` });
  }

  // issuer
  if (!jwt) checks.push({ id: 'issuer', status: 'skip', message: 'token not parsed' });
  else if (ev.issuer === 'unchecked') {
    checks.push({ id: 'issuer', status: 'warn', message: `not checked: no --issuer given (token iss ${JSON.stringify(jwt.iss)})`, remedy: 'Pass --issuer with the RequestAuthentication\'s issuer to check it byte for byte.' });
  } else if (ev.issuer === 'match') {
    checks.push({ id: 'issuer', status: 'pass', message: `iss ${JSON.stringify(jwt.iss)} matches` });
  } else {
    const slash = input.rule.issuer !== undefined && (jwt.iss.replace(/\/$/, '') === input.rule.issuer.replace(/\/$/, ''));
    checks.push({
      id: 'issuer', status: 'fail',
      message: `${JwtStatus.UnknownIssuer}: token iss ${JSON.stringify(jwt.iss)} != issuer ${JSON.stringify(input.rule.issuer)}${slash ? ' (they differ only by a trailing slash, which Envoy does not fold)' : ''}`,
      remedy: `Set the RequestAuthentication's issuer to exactly ${JSON.stringify(jwt.iss)}, or get a token from ${JSON.stringify(input.rule.issuer)}.`,
    });
  }

  // time
  if (!jwt || !ev.time) {
    checks.push({ id: 'nbf', status: 'skip', message: 'token not parsed' });
    checks.push({ id: 'exp', status: 'skip', message: 'token not parsed' });
  } else {
    const t = ev.time;
    if (jwt.nbf === 0) checks.push({ id: 'nbf', status: 'pass', message: 'no nbf' });
    else if (!t.ok && t.reason === 'not-yet-valid') {
      checks.push({ id: 'nbf', status: 'fail', message: `${JwtStatus.NotYetValid}: nbf ${isoDate(jwt.nbf)} (${relative(jwt.nbf, input.now)}), beyond the ${CLOCK_SKEW_SECONDS} s skew`, remedy: remedyForJwtStatus(JwtStatus.NotYetValid)! });
    } else if (t.ok && t.withinSkew === 'nbf') {
      checks.push({ id: 'nbf', status: 'warn', message: `nbf ${isoDate(jwt.nbf)} is ${formatDuration(jwt.nbf - input.now)} in the future: accepted only thanks to Envoy's ${CLOCK_SKEW_SECONDS} s clock skew`, remedy: 'Synchronise the clocks of the issuer and the cluster.' });
    } else {
      checks.push({ id: 'nbf', status: 'pass', message: `valid since ${isoDate(jwt.nbf)} (${relative(jwt.nbf, input.now)})` });
    }
    if (jwt.exp === 0) {
      checks.push({ id: 'exp', status: 'warn', message: 'no exp: Envoy treats the token as never expiring', remedy: 'Configure the provider to issue tokens with an expiry.' });
    } else if (!t.ok && t.reason === 'expired') {
      checks.push({ id: 'exp', status: 'fail', message: `${JwtStatus.Expired}: expired ${isoDate(jwt.exp)} (${relative(jwt.exp, input.now)}), beyond the ${CLOCK_SKEW_SECONDS} s skew`, remedy: remedyForJwtStatus(JwtStatus.Expired)! });
    } else if (t.ok && t.withinSkew === 'exp') {
      checks.push({ id: 'exp', status: 'warn', message: `expired ${formatDuration(input.now - jwt.exp)} ago (${isoDate(jwt.exp)}): accepted only thanks to Envoy's ${CLOCK_SKEW_SECONDS} s clock skew, for ${formatDuration(jwt.exp + CLOCK_SKEW_SECONDS - input.now)} more`, remedy: remedyForJwtStatus(JwtStatus.Expired)! });
    } else {
      const left = jwt.exp - input.now;
      checks.push({
        id: 'exp', status: left < 300 ? 'warn' : 'pass',
        message: `expires ${isoDate(jwt.exp)} (${relative(jwt.exp, input.now)})`,
        ...(left < 300 ? { remedy: 'The token expires within 5 minutes: long-lived WebSocket sessions should refresh and reconnect.' } : {}),
      });
    }
  }

  // audience
  if (!jwt) checks.push({ id: 'audience', status: 'skip', message: 'token not parsed' });
  else if (input.rule.audiences.length === 0) {
    checks.push({ id: 'audience', status: 'pass', message: `no audiences configured: any aud is accepted (token aud ${JSON.stringify(jwt.audiences)})` });
  } else if (ev.audience) {
    checks.push({ id: 'audience', status: 'pass', message: `token aud ${JSON.stringify(jwt.audiences)} matches ${JSON.stringify(input.rule.audiences)}` });
  } else {
    checks.push({
      id: 'audience', status: 'fail',
      message: `${JwtStatus.AudienceNotAllowed}: token aud ${jwt.audiences.length ? JSON.stringify(jwt.audiences) : '(none)'} not in ${JSON.stringify(input.rule.audiences)} (Envoy answers 403)`,
      remedy: remedyForJwtStatus(JwtStatus.AudienceNotAllowed)!,
    });
  }

  // discovery and JWKS reachability
  if (ks.discovery) {
    const d = ks.discovery;
    if (!d.fetch.ok) {
      checks.push({ id: 'discovery', status: 'fail', message: `${d.fetch.url}: ${d.fetch.message} after ${d.fetch.ms} ms`, remedy: fetchFailureRemedy(d.fetch, 'discovery', input.timeoutMs) });
    } else if (d.invalid) {
      checks.push({ id: 'discovery', status: 'fail', message: `${d.fetch.url}: ${d.invalid}`, remedy: 'The issuer URL does not serve an OpenID discovery document: pass --jwks-uri explicitly.' });
    } else {
      checks.push({ id: 'discovery', status: 'pass', message: `${d.fetch.url}: HTTP ${d.fetch.status} in ${d.fetch.ms} ms${d.fromToken ? " (from the token's iss)" : ''}` });
    }
    if (d.document) {
      const docIssuer = d.document['issuer'];
      if (typeof docIssuer !== 'string') {
        checks.push({ id: 'discovery-issuer', status: 'warn', message: 'the discovery document has no issuer' });
      } else if (docIssuer === d.issuer) {
        checks.push({ id: 'discovery-issuer', status: 'pass', message: `discovery issuer ${JSON.stringify(docIssuer)} equals the issuer` });
      } else {
        checks.push({
          id: 'discovery-issuer', status: 'fail',
          message: `discovery issuer ${JSON.stringify(docIssuer)} != ${JSON.stringify(d.issuer)}: tokens from this provider carry ${JSON.stringify(docIssuer)} and get "${JwtStatus.UnknownIssuer}"`,
          remedy: `Set the issuer to exactly ${JSON.stringify(docIssuer)} (a trailing slash counts).`,
        });
      }
    }
  } else if (ks.mode !== 'discovery') {
    checks.push({ id: 'discovery', status: 'skip', message: ks.mode === 'jwks-file' ? 'keys from --jwks-file' : ks.mode === 'jwks-uri' ? 'keys from --jwks-uri' : (ks.noneReason ?? 'no issuer to discover') });
  }

  if (ks.jwks) {
    const j = ks.jwks;
    if (j.readError) {
      checks.push({ id: 'jwks', status: 'fail', message: `${j.source}: ${j.readError}`, remedy: 'Pass a readable JWKS file.' });
    } else if (j.fetch && !j.fetch.ok) {
      checks.push({ id: 'jwks', status: 'fail', message: `${j.fetch.url}: ${j.fetch.message} after ${j.fetch.ms} ms`, remedy: fetchFailureRemedy(j.fetch, 'JWKS', input.timeoutMs) });
    } else if (jwks) {
      const where = j.fetch ? `${j.source}: HTTP ${j.fetch.status} in ${j.fetch.ms} ms, ` : `${j.source}: `;
      const rejected = jwks.rejected.map((r) => `key #${r.index}${r.kid ? ` (kid ${r.kid})` : ''} skipped: ${r.problem}`);
      if (jwks.error) {
        const notJson = jwks.error === 'Jwks is an invalid JSON' && j.text !== undefined;
        checks.push({
          id: 'jwks', status: 'fail',
          message: `${where}${jwks.error}${notJson ? ` (starts with ${JSON.stringify(j.text!.slice(0, 40))})` : ''}: Envoy would answer "${JwtStatus.JwksNoValidKeys}"`,
          remedy: 'Point jwksUri at the provider\'s JWKS (its discovery document names it as jwks_uri).',
        });
      } else if (jwks.keys.length === 0) {
        checks.push({ id: 'jwks', status: 'fail', message: `${where}no usable key${rejected.length ? `; ${rejected.join('; ')}` : ''}`, remedy: remedyForJwtStatus(JwtStatus.JwksNoValidKeys)! });
      } else {
        checks.push({
          id: 'jwks', status: rejected.length ? 'warn' : 'pass',
          message: `${where}${jwks.keys.length} key${jwks.keys.length > 1 ? 's' : ''}: ${jwks.keys.map(keyLabel).join(', ')}${rejected.length ? `; ${rejected.join('; ')}` : ''}`,
        });
      }
    }
  } else {
    checks.push({ id: 'jwks', status: 'skip', message: ks.mode === 'discovery' ? 'no jwks_uri (discovery failed)' : (ks.noneReason ?? 'no key source') });
  }

  // key selection and signature
  if (!jwt) {
    checks.push({ id: 'key', status: 'skip', message: 'token not parsed' });
    checks.push({ id: 'signature', status: 'skip', message: 'token not parsed' });
  } else if (!ev.keys) {
    checks.push({ id: 'key', status: 'skip', message: 'no JWKS available' });
    checks.push({ id: 'signature', status: 'skip', message: 'no JWKS available' });
  } else if (ev.keys.usable.length === 0) {
    checks.push({ id: 'key', status: 'fail', message: `${JwtStatus.JwksNoValidKeys}`, remedy: remedyForJwtStatus(JwtStatus.JwksNoValidKeys)! });
    checks.push({ id: 'signature', status: 'skip', message: 'no usable key' });
  } else if (ev.keys.candidates.length === 0) {
    const kids = ev.keys.usable.map(keyLabel).join(', ');
    checks.push({
      id: 'key', status: 'fail',
      message: `${JwtStatus.JwksKidAlgMismatch}: token ${jwt.kid ? `kid ${jwt.kid}` : 'without kid'}, alg ${jwt.alg}; JWKS has ${kids}`,
      remedy: remedyForJwtStatus(JwtStatus.JwksKidAlgMismatch)!,
    });
    checks.push({ id: 'signature', status: 'skip', message: 'no key to try' });
  } else {
    checks.push({ id: 'key', status: 'pass', message: `${ev.keys.candidates.length} candidate key${ev.keys.candidates.length > 1 ? 's' : ''}: ${ev.keys.candidates.map(keyLabel).join(', ')}` });
    if (ev.keys.status === JwtStatus.Ok) {
      checks.push({ id: 'signature', status: 'pass', message: `verified with ${keyLabel(ev.keys.verifiedBy!)}` });
    } else {
      checks.push({ id: 'signature', status: 'fail', message: ev.keys.status, remedy: remedyForJwtStatus(ev.keys.status)! });
    }
  }

  // advice
  if (jwt) {
    if (jwt.sub === '') {
      checks.push({
        id: 'subject', status: 'warn',
        message: 'no sub claim: Istio gives the request no principal, so requestPrincipals: ["*"] denies it (403) and notRequestPrincipals: ["*"] matches it',
        remedy: 'Have the provider put a sub in the token (client-credentials tokens often lack one), or authorize on claims instead of requestPrincipals.',
      });
    } else {
      checks.push({ id: 'subject', status: 'pass', message: `principal ${jwt.iss}/${jwt.sub}` });
    }
  }
  if (input.tokenSource !== 'url-query') {
    hints.push('Browsers cannot set an Authorization header on a WebSocket: browser clients must send the token as ?access_token=. Try: wscat -c "wss://HOST/PATH?access_token=$TOKEN"  or  websocat -H "Authorization: Bearer $TOKEN" wss://HOST/PATH');
  }

  const status = ev.status;
  const decided = status !== null;
  const allowed = decided ? status === JwtStatus.Ok || status === JwtStatus.Missing : null;
  const httpStatus = !decided ? null : allowed ? 200 : httpStatusForJwtFailure(status);
  const body = !decided ? null : allowed ? '' : status;
  if (status === JwtStatus.Missing) {
    hints.push('Without a token jwt_authn lets the request through with no principal; the AuthorizationPolicies then decide (the Omnia chart denies it with 403).');
  }
  return {
    allowed,
    httpStatus,
    body,
    jwtStatus: status,
    checks,
    token: input.token === '' ? null : { header: ev.header, claims: ev.claims, preview: redactToken(input.token) },
    responseCodeDetails: decided && !allowed ? responseCodeDetails(status) : null,
    hints,
    evaluatedAt: isoDate(input.now),
  };
}
