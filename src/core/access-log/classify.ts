// What each log record means for authentication: a jwt_authn rejection (the exact Envoy
// status), an RBAC denial (namespace, policy, rule, or none), a 401/403 from the agent itself,
// a JWKS fetch failure in istiod, or anything else. Plus the summary with remedies.
import { ACCESS_LOG_TELEMETRY } from '../findings.js';
import { remedyForJwtStatus } from '../jwt/remedies.js';
import { httpStatusForJwtFailure, statusFromResponseCodeDetails } from '../jwt/status.js';
import { redactJwtsIn } from '../jwt/token-input.js';
import type { LogRecord } from './parse.js';

export type EventKind = 'jwt' | 'rbac' | 'upstream' | 'jwks' | 'other';

export interface LogEvent {
  time: string | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  kind: EventKind;
  httpStatus: number | null;
  reason: string;
  policy: string | null;
  rule: number | null;
  method: string | null;
  path: string | null;
  authority: string | null;
  requestId: string | null;
}

export interface Source {
  namespace: string | null;
  pod: string | null;
  container: string | null;
  /** Timestamp from the API (timestamps=true), used when the record has none. */
  ts: string | null;
}

const RBAC = /^rbac_access_denied_matched_policy\[(.*)\]$/;
const POLICY_ID = /^ns\[([^\]]*)\]-policy\[([^\]]*)\]-rule\[(\d+)\]$/;

export function parsePolicyId(id: string): { policy: string | null; rule: number | null } {
  const m = POLICY_ID.exec(id);
  return m ? { policy: `${m[1]}/${m[2]}`, rule: Number(m[3]) } : { policy: null, rule: null };
}

const JWKS_FAILURES = [
  'Failed to fetch public key from jwks URI', 'Failed to get jwks URI from issuer', 'Failed to refresh JWT public key from',
  'using a fake JWKS', 'using public-only JWKS', 'Failed to fetch jwt public key',
];

/** Redact tokens, Authorization and Cookie values, and access_token query values in any text. */
export function redactSecrets(text: string): string {
  if (!/eyJ|access_token|uthorization|ookie/i.test(text)) return text;
  return redactJwtsIn(text)
    .replace(/((?:^|[\s'"{,])(?:authorization|cookie|proxy-authorization)['"]?\s*[:,=]\s*['"]?)([^'"\n]+)/gi, (_m, k: string) => `${k}<redacted>`)
    .replace(/([?&]access_token=)[^&\s"']+/g, '$1<redacted>');
}

const jwtCache = new Map<string, string | undefined>();
function jwtStatusOf(details: string): string | undefined {
  if (!details.startsWith('jwt_authn')) return undefined;
  let v = jwtCache.get(details);
  if (v === undefined && !jwtCache.has(details)) {
    v = statusFromResponseCodeDetails(details);
    if (jwtCache.size < 1000) jwtCache.set(details, v);
  }
  return v;
}

export function classify(r: LogRecord, src: Source): LogEvent | null {
  const base = { time: src.ts, namespace: src.namespace, pod: src.pod, container: src.container, policy: null, rule: null, method: null, path: null, authority: null, requestId: null };
  if (r.type === 'access') {
    const common = {
      ...base, time: r.time ?? src.ts, method: r.method, path: r.path ? redactSecrets(r.path) : null, authority: r.authority, requestId: r.requestId,
    };
    const details = r.details ?? '';
    const jwt = jwtStatusOf(details);
    if (jwt !== undefined) return { ...common, kind: 'jwt', httpStatus: r.code ?? httpStatusForJwtFailure(jwt), reason: jwt };
    const rb = RBAC.exec(details);
    if (rb) {
      const id = rb[1]!;
      const p = parsePolicyId(id);
      return { ...common, kind: 'rbac', httpStatus: r.code ?? 403, reason: 'RBAC: access denied', policy: p.policy, rule: p.rule };
    }
    if ((r.code === 401 || r.code === 403) && details === 'via_upstream') {
      return { ...common, kind: 'upstream', httpStatus: r.code, reason: `${r.code} from the agent itself (via_upstream)` };
    }
    return { ...common, kind: 'other', httpStatus: r.code, reason: details || (r.code !== null ? String(r.code) : '-') };
  }
  if (r.type === 'envoy') {
    if (r.logger === 'jwt') {
      const m = /Jwt authentication completed with: (.*)$/.exec(r.message);
      if (m && m[1] !== 'OK') return { ...base, time: r.time ?? src.ts, kind: 'jwt', httpStatus: httpStatusForJwtFailure(m[1]!), reason: m[1]! };
    }
    if (r.logger === 'rbac') {
      const m = /enforced denied, matched policy (\S+)/.exec(r.message);
      if (m) {
        const p = parsePolicyId(m[1]!);
        return { ...base, time: r.time ?? src.ts, kind: 'rbac', httpStatus: 403, reason: 'RBAC: access denied', policy: p.policy, rule: p.rule };
      }
    }
    return { ...base, time: r.time ?? src.ts, kind: 'other', httpStatus: null, reason: redactSecrets(`[${r.logger}] ${r.message}`) };
  }
  if (r.type === 'istiod') {
    if (JWKS_FAILURES.some((f) => r.message.includes(f))) {
      return { ...base, time: r.time ?? src.ts, kind: 'jwks', httpStatus: null, reason: redactSecrets(r.message) };
    }
    return { ...base, time: r.time ?? src.ts, kind: 'other', httpStatus: null, reason: redactSecrets(r.message) };
  }
  return { ...base, kind: 'other', httpStatus: null, reason: redactSecrets(r.text) };
}

export const isAuthFailure = (e: LogEvent) => e.kind !== 'other';

const detailsCache = new Map<string, Pick<LogEvent, 'kind' | 'reason' | 'policy' | 'rule'>>();

/** kind, reason, policy and rule of an access line from its code and details (memoised). */
export function classifyDetails(code: number, details: string): Pick<LogEvent, 'kind' | 'reason' | 'policy' | 'rule'> {
  const key = `${code} ${details}`;
  let v = detailsCache.get(key);
  if (!v) {
    const e = classify({ type: 'access', format: 'text', time: null, method: null, path: null, protocol: null, code, flags: null, details, authority: null, requestId: null, userAgent: null }, { namespace: null, pod: null, container: null, ts: null })!;
    v = { kind: e.kind, reason: e.reason, policy: e.policy, rule: e.rule };
    if (detailsCache.size < 10_000) detailsCache.set(key, v);
  }
  return v;
}

export function remedyForEvent(e: Pick<LogEvent, 'kind' | 'reason' | 'policy'>): string {
  switch (e.kind) {
    case 'jwt':
      return remedyForJwtStatus(e.reason) ?? 'Run kubectl omnia-auth check-token with the token.';
    case 'rbac':
      return e.policy
        ? `A DENY rule of ${e.policy} matched: kubectl omnia-auth check-token "$TOKEN" --agent <agent> --path <path> shows which condition.`
        : 'No ALLOW rule matched (token without sub? scope missing? path not open?): kubectl omnia-auth check-token "$TOKEN" --agent <agent> --path <path>.';
    case 'upstream':
      return 'Istio let the request through; the agent itself refused it: check the agent\'s own auth settings and logs (-c agent).';
    case 'jwks':
      return 'istiod cannot fetch the JWKS, so every token fails: check the jwksUri from istiod\'s network and its CA (pilot.jwksResolverExtraRootCA); kubectl omnia-auth status --check-jwks.';
    default:
      return '';
  }
}

export interface Summary {
  total: number;
  accessLines: number;
  byReason: Array<{ kind: EventKind; reason: string; policy: string | null; count: number; remedy: string }>;
  byPod: Array<{ pod: string; count: number }>;
  byPath: Array<{ path: string; count: number }>;
  /** Set when no access-log line was seen at all. */
  accessLoggingHint: string | null;
}

export class Summarizer {
  private readonly reasons = new Map<string, { kind: EventKind; reason: string; policy: string | null; count: number }>();
  private readonly pods = new Map<string, number>();
  private readonly paths = new Map<string, number>();
  total = 0;
  accessLines = 0;

  add(e: LogEvent, isAccessLine: boolean): void {
    if (isAccessLine) this.accessLines++;
    if (!isAuthFailure(e)) return;
    this.total++;
    const key = `${e.kind}\u0000${e.reason}\u0000${e.policy ?? ''}`;
    const r = this.reasons.get(key) ?? { kind: e.kind, reason: e.reason, policy: e.policy, count: 0 };
    r.count++;
    this.reasons.set(key, r);
    const pod = e.namespace && e.pod ? `${e.namespace}/${e.pod}` : e.pod ?? '(unknown)';
    this.pods.set(pod, (this.pods.get(pod) ?? 0) + 1);
    if (e.path) {
      const q = e.path.indexOf('?');
      const p = q === -1 ? e.path : e.path.slice(0, q);
      this.paths.set(p, (this.paths.get(p) ?? 0) + 1);
    }
  }

  countAccessLine(): void {
    this.accessLines++;
  }

  /** add() for the summary-only path: the fields it counts, no event object. */
  addFields(kind: EventKind, reason: string, policy: string | null, pod: string, path: string | null): void {
    this.add({ kind, reason, policy, pod, namespace: null, path, time: null, container: null, httpStatus: null, rule: null, method: null, authority: null, requestId: null }, true);
  }

  summary(): Summary {
    const sorted = <T extends { count: number }>(xs: T[]) => xs.sort((a, b) => b.count - a.count);
    return {
      total: this.total,
      accessLines: this.accessLines,
      byReason: sorted([...this.reasons.values()]).map((r) => ({ ...r, remedy: remedyForEvent(r) })),
      byPod: sorted([...this.pods].map(([pod, count]) => ({ pod, count }))),
      byPath: sorted([...this.paths].map(([path, count]) => ({ path, count }))),
      accessLoggingHint: this.accessLines === 0
        ? `No access-log line was seen: access logging is probably off for the sidecars. Turn it on:\n${ACCESS_LOG_TELEMETRY}`
        : null,
    };
  }
}
