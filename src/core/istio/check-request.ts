// The whole Istio answer for one request to one workload: jwt_authn with the
// RequestAuthentications that apply (the token's iss picks the jwtRule), then the
// AuthorizationPolicies (CUSTOM, DENY, ALLOW). Pure: keys and policies come in as facts.
import { parseJwt, decodeForDisplay } from '../jwt/parse.js';
import { checkToken, type Check, type CheckTokenResult, type KeySourceFacts } from '../jwt/report.js';
import { JwtStatus } from '../jwt/status.js';
import { redactToken, type TokenSource } from '../jwt/token-input.js';
import { DEFAULT_SPACE_DELIMITED, decide, type AuthzDecision, type PolicyTrace } from './authz.js';
import { refString, type AuthorizationPolicy, type JwtRule, type ObjectSet, type Pod, type RequestAuthentication } from './model.js';
import { appliesTo } from './select.js';

export interface RequestShape {
  path: string;
  method: string;
  host?: string;
  port?: number;
  origin?: string;
  tokenLocation: 'header' | 'query';
}

export type RulePick =
  | { kind: 'no-request-authentication' }
  | { kind: 'no-token' }
  | { kind: 'unknown-issuer'; issuers: string[]; tokenIss: string | null }
  | { kind: 'rule'; ra: RequestAuthentication; rule: JwtRule; ruleIndex: number };

/** Which jwtRule Envoy would use: the one whose issuer equals the token's iss. */
export function pickJwtRule(token: string, ras: readonly RequestAuthentication[]): RulePick {
  if (ras.length === 0) return { kind: 'no-request-authentication' };
  if (token === '') return { kind: 'no-token' };
  const p = parseJwt(token);
  const iss = p.ok ? p.jwt.iss : typeof decodeForDisplay(token).claims?.['iss'] === 'string' ? (decodeForDisplay(token).claims!['iss'] as string) : null;
  for (const ra of ras) {
    const i = ra.jwtRules.findIndex((r) => iss !== null && r.issuer === iss);
    if (i !== -1) return { kind: 'rule', ra, rule: ra.jwtRules[i]!, ruleIndex: i };
  }
  return { kind: 'unknown-issuer', issuers: ras.flatMap((r) => r.jwtRules.map((j) => j.issuer)), tokenIss: iss };
}

/** Does a provider read the token where the client puts it? Custom locations replace the defaults. */
export function ruleReadsLocation(rule: JwtRule, location: 'header' | 'query'): boolean {
  const custom = rule.fromHeaders.length + rule.fromParams.length + rule.fromCookies.length > 0;
  if (!custom) return true; // Authorization: Bearer, then ?access_token=
  if (location === 'header') return rule.fromHeaders.some((h) => h.name.toLowerCase() === 'authorization' && (h.prefix ?? '').toLowerCase().startsWith('bearer'));
  return rule.fromParams.includes('access_token');
}

export interface Decision {
  stage: 'jwt' | 'authorization' | 'none';
  action: 'CUSTOM' | 'DENY' | 'ALLOW' | null;
  policy: string | null;
  rule: number | null;
  trace: PolicyTrace[];
  summary: string;
}

export interface CheckRequestResult extends CheckTokenResult {
  decision: Decision;
  request: { method: string; path: string; host: string | null; tokenLocation: 'header' | 'query'; corsPreflight: boolean; workload: string | null };
  /** Headers the agent receives on success: claim headers (null: cleared) and Authorization. */
  upstreamHeaders: Record<string, string | null> | null;
  authorizationForwarded: boolean | null;
}

export interface CheckRequestInput {
  token: string;
  tokenSource: TokenSource;
  noToken: boolean;
  request: RequestShape;
  workload: string | null;
  ras: RequestAuthentication[];
  aps: AuthorizationPolicy[];
  pick: RulePick;
  /** Keys for the picked rule (same facts as check-token). */
  keySource: KeySourceFacts;
  now: number;
  timeoutMs: number;
  /** Extra checks from gathering (pods that differ, policies unreadable...). */
  extraChecks: Check[];
}

/** outputClaimToHeaders: strings, whole numbers and booleans; nested claims with dots; cleared when absent. */
export function claimHeaders(rule: JwtRule, claims: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const { header, claim } of rule.outputClaimToHeaders) {
    let v: unknown = claims;
    for (const part of claim.split('.')) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[part] : undefined;
    out[header.toLowerCase()] = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'boolean' ? String(v) : null;
  }
  return out;
}

export function checkRequest(input: CheckRequestInput): CheckRequestResult {
  const req = input.request;
  const cors = req.method.toUpperCase() === 'OPTIONS' && req.origin !== undefined;
  const pick = input.pick;
  const token = input.noToken || cors ? '' : input.token;
  const extra: Check[] = [...input.extraChecks];

  // jwt_authn
  let jwt: CheckTokenResult;
  let jwtApplies = true;
  if (pick.kind === 'no-request-authentication') {
    jwtApplies = false;
    jwt = checkToken({ token: '', tokenSource: input.tokenSource, rule: { audiences: [] }, now: input.now, keySource: { mode: 'none', noneReason: 'no RequestAuthentication applies' }, timeoutMs: input.timeoutMs });
    jwt.checks = [{ id: 'request-authentication', status: 'warn', message: 'no RequestAuthentication applies to this workload: jwt_authn is not configured, any token is ignored and the request has no principal', remedy: 'Create a RequestAuthentication selecting the agent pods (kubectl omnia-auth apply).' }];
    const shown = decodeForDisplay(input.token);
    jwt.token = input.token && !input.noToken ? { header: shown.header ?? null, claims: shown.claims ?? null, preview: redactToken(input.token) } : null;
  } else if (pick.kind === 'rule' && !ruleReadsLocation(pick.rule, req.tokenLocation) && token !== '') {
    jwt = checkToken({ token: '', tokenSource: input.tokenSource, rule: { audiences: [] }, now: input.now, keySource: { mode: 'none' }, timeoutMs: input.timeoutMs });
    extra.push({ id: 'token-location', status: 'fail', message: `jwtRule for ${pick.rule.issuer} reads the token only from ${describeLocations(pick.rule)}, not from the ${req.tokenLocation === 'header' ? 'Authorization header' : 'access_token query parameter'}: Envoy sees no token`, remedy: 'Send the token where the jwtRule looks (fromHeaders/fromParams), or add that location.' });
  } else if (pick.kind === 'unknown-issuer' && token !== '') {
    jwt = checkToken({ token, tokenSource: input.tokenSource, rule: { issuer: pick.issuers[0] ?? '', audiences: [] }, now: input.now, keySource: input.keySource, timeoutMs: input.timeoutMs });
    const iss = jwt.checks.find((c) => c.id === 'issuer');
    if (iss && iss.status === 'fail') {
      iss.message = `${JwtStatus.UnknownIssuer}: token iss ${JSON.stringify(pick.tokenIss)} is none of the configured issuers ${JSON.stringify(pick.issuers)}`;
      iss.remedy = `Compare the token's iss with the RequestAuthentications' issuers byte for byte (a trailing slash counts).`;
    }
  } else {
    const rule = pick.kind === 'rule' ? pick.rule : undefined;
    jwt = checkToken({
      token, tokenSource: input.tokenSource, rule: { ...(rule ? { issuer: rule.issuer } : {}), audiences: rule?.audiences ?? [] },
      now: input.now, keySource: input.keySource, timeoutMs: input.timeoutMs,
    });
  }
  if (input.noToken) {
    jwt.checks = jwt.checks.map((c) => (c.id === 'token' ? { id: 'token', status: 'pass', message: 'no token sent (--no-token)' } : c));
    jwt.token = null;
  }
  if (cors) {
    extra.push({ id: 'cors-preflight', status: 'pass', message: 'CORS preflight (OPTIONS with Origin): jwt_authn skips it, the AuthorizationPolicies do not; the request has no principal' });
  }

  const base = (d: Decision, allowed: boolean | null, httpStatus: 200 | 401 | 403 | null, body: string | null, details: string | null, headers: CheckRequestResult['upstreamHeaders'], forwarded: boolean | null): CheckRequestResult => ({
    ...jwt,
    allowed, httpStatus, body, responseCodeDetails: details,
    checks: [...jwt.checks, ...extra],
    decision: d,
    request: { method: req.method, path: req.path, host: req.host ?? null, tokenLocation: req.tokenLocation, corsPreflight: cors, workload: input.workload },
    upstreamHeaders: headers, authorizationForwarded: forwarded,
  });

  // jwt_authn rejected, or cannot tell
  if (jwt.jwtStatus === null) {
    return base({ stage: 'jwt', action: null, policy: pick.kind === 'rule' ? refString(pick.ra) : null, rule: null, trace: [], summary: 'no keys could be obtained for the jwtRule' }, null, null, null, null, null, null);
  }
  if (jwt.allowed === false) {
    return base({ stage: 'jwt', action: null, policy: pick.kind === 'rule' ? refString(pick.ra) : null, rule: null, trace: [], summary: `jwt_authn: ${jwt.jwtStatus}` }, false, jwt.httpStatus, jwt.body, jwt.responseCodeDetails, null, null);
  }

  // Authorization
  const ok = jwtApplies && jwt.jwtStatus === JwtStatus.Ok && pick.kind === 'rule';
  const parsed = ok ? parseJwt(token) : undefined;
  const claims = parsed?.ok ? parsed.jwt.claims : null;
  const principal = parsed?.ok && parsed.jwt.iss !== '' && parsed.jwt.sub !== '' ? `${parsed.jwt.iss}/${parsed.jwt.sub}` : null;
  const headers: Record<string, string> = {};
  if (req.host) headers['host'] = req.host;
  if (req.origin) headers['origin'] = req.origin;
  if (cors) headers['access-control-request-method'] = 'GET';
  const spaceDelimited = [...DEFAULT_SPACE_DELIMITED, ...(pick.kind === 'rule' ? pick.rule.spaceDelimitedClaims : [])];
  const d: AuthzDecision = decide(input.aps, { principal, claims, spaceDelimitedClaims: spaceDelimited, path: req.path, method: req.method.toUpperCase(), ...(req.host ? { host: req.host } : {}), ...(req.port !== undefined ? { port: req.port } : {}), headers });
  const decision: Decision = {
    stage: d.action === null && d.allowed === true ? 'none' : 'authorization',
    action: d.action === 'AUDIT' ? null : d.action, policy: d.policy, rule: d.rule, trace: d.trace, summary: d.summary,
  };
  if (d.allowed === null) return base(decision, null, null, null, null, null, null);
  if (!d.allowed) return base(decision, false, 403, 'RBAC: access denied', d.details, null, null);
  const upstream = pick.kind === 'rule' && claims ? claimHeaders(pick.rule, claims) : {};
  const forwarded = pick.kind === 'rule' && ok ? pick.rule.forwardOriginalToken : token !== '' ? true : null;
  return base(decision, true, 200, '', null, upstream, forwarded);
}

function describeLocations(r: JwtRule): string {
  const parts = [
    ...r.fromHeaders.map((h) => `header ${h.name}${h.prefix ? ` (prefix ${JSON.stringify(h.prefix)})` : ''}`),
    ...r.fromParams.map((p) => `query parameter ${p}`),
    ...r.fromCookies.map((c) => `cookie ${c}`),
  ];
  return parts.join(', ');
}

export interface Target {
  pod: Pod;
  ras: RequestAuthentication[];
  aps: AuthorizationPolicy[];
  /** `target` (which pod, and whether the others differ) and, without sidecar, `sidecar`. */
  checks: Check[];
}

/** The pod a request is evaluated for (the first match), its policies, and what to say about it. */
export function chooseTarget(pods: readonly Pod[], set: Pick<ObjectSet, 'requestAuthentications' | 'authorizationPolicies'>, rootNamespace: string): Target {
  const policiesOf = (p: Pod) => ({
    ras: set.requestAuthentications.filter((r) => appliesTo(r, p, rootNamespace)),
    aps: set.authorizationPolicies.filter((a) => appliesTo(a, p, rootNamespace)),
  });
  const pod = pods[0]!;
  const { ras, aps } = policiesOf(pod);
  const key = (x: { ras: RequestAuthentication[]; aps: AuthorizationPolicy[] }) => [...x.ras, ...x.aps].map(refString).sort().join(',');
  const differing = pods.filter((p) => key(policiesOf(p)) !== key({ ras, aps }));
  const checks: Check[] = [{
    id: 'target', status: differing.length ? 'warn' : 'pass',
    message: `evaluated for pod ${refString(pod)}${pods.length > 1 ? ` (${pods.length} pods match)` : ''}` +
      (differing.length ? `; ${differing.length} other pod(s) have other policies, e.g. ${refString(differing[0]!)}: check them with --pod` : ''),
  }];
  if (!pod.hasSidecar) {
    checks.push({ id: 'sidecar', status: 'fail', message: 'the target pod has no istio-proxy: Istio enforces nothing, every request reaches the agent', remedy: 'Inject the sidecar (istio-injection=enabled) and restart the pod.' });
  }
  return { pod, ras, aps, checks };
}
