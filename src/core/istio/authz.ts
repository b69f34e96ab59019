// Istio's AuthorizationPolicy decision for one request (reference §3): CUSTOM, then DENY
// (any match denies), then ALLOW (when ALLOW policies apply, a request matching none of
// their rules is denied). Three-valued: a condition this tool cannot evaluate (source
// identity, ports not given, a CUSTOM provider) is "unknown", and the decision says so
// rather than allowing silently.
import { refString, type Action, type AuthorizationPolicy, type Condition, type Operation, type Rule, type Source } from './model.js';

export type Tri = true | false | 'unknown';

export interface AuthzRequest {
  /** `iss/sub`; null when the request has no principal (no token, or no sub). */
  principal: string | null;
  /** The validated token's claims; null without a valid token. */
  claims: Record<string, unknown> | null;
  /** Claims whose space-separated string values are lists (scope, permission, + jwtRule's). */
  spaceDelimitedClaims: readonly string[];
  path: string;
  method: string;
  host?: string;
  port?: number;
  headers: Record<string, string>;
}

export interface RuleTrace {
  rule: number;
  matched: Tri;
  /** Why it did not match (or what could not be evaluated); empty when matched. */
  reason: string;
}

export interface PolicyTrace {
  policy: string;
  action: Action;
  rules: RuleTrace[];
  /** True when at least one rule matched. */
  matched: Tri;
}

export interface AuthzDecision {
  allowed: boolean | null;
  /** The stage that decided: a DENY or ALLOW match, or no ALLOW rule matched. */
  action: Action | null;
  policy: string | null;
  rule: number | null;
  /** Envoy's RESPONSE_CODE_DETAILS for a denial. */
  details: string | null;
  summary: string;
  trace: PolicyTrace[];
}

const and = (xs: Tri[]): Tri => (xs.includes(false) ? false : xs.includes('unknown') ? 'unknown' : true);
const or = (xs: Tri[]): Tri => (xs.includes(true) ? true : xs.includes('unknown') ? 'unknown' : false);
const not = (x: Tri): Tri => (x === 'unknown' ? 'unknown' : !x);

/** Istio string match: exact, `*`, prefix `abc*`, suffix `*abc`. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return true;
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  return p === v;
}

/** `paths`: exact, prefix `/api/*`, suffix `*.js`, or `*`, on the path without the query. */
export function pathMatch(pattern: string, path: string): boolean {
  return wildcardMatch(pattern, path.split('?')[0]!);
}

const fmt = (xs: readonly string[]) => `{${xs.join(', ')}}`;

interface Field {
  tri: Tri;
  reason: string;
}

function principalField(name: string, values: string[], negate: boolean, req: AuthzRequest): Field {
  const hit = req.principal !== null && values.some((v) => wildcardMatch(v, req.principal!));
  const tri = negate ? !hit : hit;
  const has = req.principal === null ? 'the request has no principal' : `the principal is ${req.principal}`;
  return { tri, reason: tri ? '' : `${name} ${fmt(values)}: ${has}` };
}

function sourceMatch(s: Source, req: AuthzRequest): Field {
  const fields: Field[] = [];
  if (s.requestPrincipals) fields.push(principalField('requestPrincipals', s.requestPrincipals, false, req));
  if (s.notRequestPrincipals) fields.push(principalField('notRequestPrincipals', s.notRequestPrincipals, true, req));
  for (const k of ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) {
    if (s[k]) fields.push({ tri: 'unknown', reason: `${k} ${fmt(s[k]!)}: the caller's ${k.toLowerCase().includes('principal') ? 'mTLS identity' : k.toLowerCase().includes('namespace') ? 'namespace' : 'IP'} is not known here` });
  }
  return combine(fields);
}

function combine(fields: Field[]): Field {
  const tri = and(fields.map((f) => f.tri));
  const first = fields.find((f) => f.tri === false) ?? fields.find((f) => f.tri === 'unknown');
  return { tri, reason: tri === true ? '' : first?.reason ?? '' };
}

function operationMatch(o: Operation, req: AuthzRequest): Field {
  const fields: Field[] = [];
  const list = (name: string, values: string[], negate: boolean, value: string | undefined, m: (p: string, v: string) => boolean, what: string) => {
    if (value === undefined) {
      fields.push({ tri: 'unknown', reason: `${name} ${fmt(values)}: no ${what} given (use --${what})` });
      return;
    }
    const hit = values.some((p) => m(p, value));
    const tri = negate ? !hit : hit;
    fields.push({ tri, reason: tri ? '' : `${name} ${fmt(values)}: ${what} ${value} ${negate ? 'is listed' : 'is not listed'}` });
  };
  if (o.paths) list('paths', o.paths, false, req.path, pathMatch, 'path');
  if (o.notPaths) list('notPaths', o.notPaths, true, req.path, pathMatch, 'path');
  if (o.methods) list('methods', o.methods, false, req.method, (p, v) => wildcardMatch(p, v), 'method');
  if (o.notMethods) list('notMethods', o.notMethods, true, req.method, (p, v) => wildcardMatch(p, v), 'method');
  if (o.hosts) list('hosts', o.hosts, false, req.host, (p, v) => wildcardMatch(p, v, true), 'host');
  if (o.notHosts) list('notHosts', o.notHosts, true, req.host, (p, v) => wildcardMatch(p, v, true), 'host');
  if (o.ports) list('ports', o.ports, false, req.port === undefined ? undefined : String(req.port), (p, v) => p === v, 'port');
  if (o.notPorts) list('notPorts', o.notPorts, true, req.port === undefined ? undefined : String(req.port), (p, v) => p === v, 'port');
  return combine(fields);
}

/** `request.auth.claims[a][b]` -> ['a', 'b']; undefined when the key is not of that form. */
export function claimPath(key: string): string[] | undefined {
  const m = /^request\.auth\.claims((?:\[[^\][]+\])+)$/.exec(key);
  if (!m) return undefined;
  return [...m[1]!.matchAll(/\[([^\][]+)\]/g)].map((x) => x[1]!);
}

function claimValues(req: AuthzRequest, path: string[]): string[] | undefined {
  let v: unknown = req.claims;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  if (typeof v === 'string') {
    const top = path.length === 1 ? path[0]! : '';
    return req.spaceDelimitedClaims.includes(top) ? v.split(' ').filter((x) => x !== '') : [v];
  }
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

export const KNOWN_CONDITION_KEYS = [
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'source.ip', 'remote.ip', 'source.namespace',
  'source.principal', 'destination.ip', 'destination.port', 'connection.sni',
];

export function isKnownConditionKey(key: string): boolean {
  return KNOWN_CONDITION_KEYS.includes(key) || claimPath(key) !== undefined || /^request\.headers\[[^\][]+\]$/.test(key) ||
    key.startsWith('experimental.envoy.filters.');
}

function conditionMatch(c: Condition, req: AuthzRequest): Field {
  const describe = () => `${c.key} ${c.values ? `in ${fmt(c.values)}` : ''}${c.values && c.notValues ? ' and ' : ''}${c.notValues ? `not in ${fmt(c.notValues)}` : ''}`;
  let actual: string[] | undefined;
  let shown = '';
  const cp = claimPath(c.key);
  if (cp) {
    actual = req.claims ? claimValues(req, cp) : undefined;
    const raw = req.claims ? cp.reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined), req.claims) : undefined;
    shown = !req.claims ? 'the request has no validated token' : raw === undefined ? `the token has no ${cp.join('.')}` : `the token has ${cp.join('.')} ${JSON.stringify(raw)}`;
  } else if (c.key === 'request.auth.principal') {
    actual = req.principal === null ? undefined : [req.principal];
    shown = req.principal === null ? 'the request has no principal' : `the principal is ${req.principal}`;
  } else if (c.key === 'request.auth.audiences') {
    const aud = req.claims?.['aud'];
    actual = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((x): x is string => typeof x === 'string') : undefined;
    shown = actual ? `the token has aud ${JSON.stringify(aud)}` : 'the request has no token audience';
  } else if (c.key === 'request.auth.presenter') {
    const azp = req.claims?.['azp'];
    actual = typeof azp === 'string' ? [azp] : undefined;
    shown = actual ? `the token has azp ${JSON.stringify(azp)}` : 'the token has no azp';
  } else if (/^request\.headers\[[^\][]+\]$/.test(c.key)) {
    const name = c.key.slice('request.headers['.length, -1).toLowerCase();
    const v = req.headers[name];
    actual = v === undefined ? undefined : [v];
    shown = v === undefined ? `the request has no ${name} header` : `${name} is ${JSON.stringify(v)}`;
  } else if (isKnownConditionKey(c.key)) {
    return { tri: 'unknown', reason: `${describe()}: ${c.key} is not known here` };
  } else {
    // Unknown keys are ignored by Istio (reference §3): the condition does not constrain.
    return { tri: true, reason: '' };
  }
  const hit = (values: string[]) => actual !== undefined && actual.some((a) => values.some((v) => wildcardMatch(v, a)));
  const parts: Tri[] = [];
  if (c.values) parts.push(hit(c.values));
  if (c.notValues) parts.push(!hit(c.notValues));
  const tri = and(parts);
  return { tri, reason: tri ? '' : `${describe()}: ${shown}` };
}

export function ruleMatch(rule: Rule, req: AuthzRequest): Field {
  const parts: Field[] = [];
  if (rule.from.length) {
    const fs = rule.from.map((s) => sourceMatch(s, req));
    parts.push({ tri: or(fs.map((f) => f.tri)), reason: fs.map((f) => f.reason).filter(Boolean).join('; or ') });
  }
  if (rule.to.length) {
    const ts = rule.to.map((o) => operationMatch(o, req));
    parts.push({ tri: or(ts.map((f) => f.tri)), reason: ts.map((f) => f.reason).filter(Boolean).join('; or ') });
  }
  for (const c of rule.when) parts.push(conditionMatch(c, req));
  return combine(parts);
}

function tracePolicy(p: AuthorizationPolicy, req: AuthzRequest): PolicyTrace {
  const rules = p.rules.map((r, i) => {
    const m = ruleMatch(r, req);
    return { rule: i, matched: m.tri, reason: m.reason };
  });
  return { policy: refString(p), action: p.action, rules, matched: or(rules.map((r) => r.matched)) };
}

export function rbacDetails(p: { namespace: string; name: string } | null, rule: number | null): string {
  return p ? `rbac_access_denied_matched_policy[ns[${p.namespace}]-policy[${p.name}]-rule[${rule}]]` : 'rbac_access_denied_matched_policy[none]';
}

/** Decide for policies that already apply to the target workload. */
export function decide(policies: readonly AuthorizationPolicy[], req: AuthzRequest): AuthzDecision {
  const trace: PolicyTrace[] = [];
  const by = (a: Action) => policies.filter((p) => p.action === a);
  const result = (d: Omit<AuthzDecision, 'trace'>): AuthzDecision => ({ ...d, trace });

  for (const p of by('CUSTOM')) {
    const t = tracePolicy(p, req);
    trace.push(t);
    if (t.matched !== false) {
      return result({
        allowed: null, action: 'CUSTOM', policy: t.policy, rule: t.rules.find((r) => r.matched !== false)?.rule ?? null, details: null,
        summary: `CUSTOM policy ${t.policy} (provider ${p.provider ?? '?'}) ${t.matched === true ? 'matches' : 'may match'}: the external authorizer decides, which this tool cannot evaluate`,
      });
    }
  }
  let denyUnknown: PolicyTrace | undefined;
  for (const p of by('DENY')) {
    const t = tracePolicy(p, req);
    trace.push(t);
    const hit = t.rules.find((r) => r.matched === true);
    if (hit) {
      return result({
        allowed: false, action: 'DENY', policy: t.policy, rule: hit.rule, details: rbacDetails(p, hit.rule),
        summary: `DENY policy ${t.policy} rule ${hit.rule} matches`,
      });
    }
    if (t.matched === 'unknown') denyUnknown ??= t;
  }
  const allows = by('ALLOW');
  const allowTraces = allows.map((p) => tracePolicy(p, req));
  trace.push(...allowTraces);
  for (const p of by('AUDIT')) trace.push(tracePolicy(p, req));
  if (denyUnknown) {
    const r = denyUnknown.rules.find((x) => x.matched === 'unknown')!;
    return result({ allowed: null, action: 'DENY', policy: denyUnknown.policy, rule: r.rule, details: null, summary: `not evaluated: DENY policy ${denyUnknown.policy} rule ${r.rule} may match (${r.reason})` });
  }
  if (allows.length === 0) {
    return result({ allowed: true, action: null, policy: null, rule: null, details: null, summary: 'no DENY rule matches and no ALLOW policy applies' });
  }
  for (const t of allowTraces) {
    const hit = t.rules.find((r) => r.matched === true);
    if (hit) return result({ allowed: true, action: 'ALLOW', policy: t.policy, rule: hit.rule, details: null, summary: `ALLOW policy ${t.policy} rule ${hit.rule} matches` });
  }
  const unknown = allowTraces.find((t) => t.matched === 'unknown');
  if (unknown) {
    const r = unknown.rules.find((x) => x.matched === 'unknown')!;
    return result({ allowed: null, action: 'ALLOW', policy: unknown.policy, rule: r.rule, details: null, summary: `not evaluated: ALLOW policy ${unknown.policy} rule ${r.rule} may match (${r.reason})` });
  }
  const reasons = allowTraces.map((t) => {
    if (t.rules.length === 0) return `ALLOW policy ${t.policy} has no rules (it allows nothing)`;
    return `no rule of ALLOW policy ${t.policy} matched; ${t.rules.map((r) => `rule ${r.rule} needs ${r.reason}`).join('; ')}`;
  });
  return result({ allowed: false, action: 'ALLOW', policy: null, rule: null, details: rbacDetails(null, null), summary: reasons.join('; ') });
}

export const DEFAULT_SPACE_DELIMITED = ['scope', 'permission'];
