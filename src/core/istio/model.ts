// Typed views of the Istio resources that decide an agent's authentication, built from raw
// API objects or manifests (any apiVersion Istio serves). Normalisation never throws: a
// malformed field becomes an empty value, and the analyzers report what they can.

export const AGENT_LABEL = 'omnia.altairalabs.ai/component';
export const AGENT_LABEL_VALUE = 'agent';
export const AGENT_INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const SIDECAR_CONTAINER = 'istio-proxy';
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export const refString = (r: { namespace: string; name: string }) => `${r.namespace}/${r.name}`;

export interface ClaimToHeader {
  header: string;
  claim: string;
}

export interface JwtRule {
  issuer: string;
  audiences: string[];
  jwksUri?: string;
  /** Inline JWKS text. */
  jwks?: string;
  forwardOriginalToken: boolean;
  outputClaimToHeaders: ClaimToHeader[];
  fromHeaders: Array<{ name: string; prefix?: string }>;
  fromParams: string[];
  fromCookies: string[];
  spaceDelimitedClaims: string[];
}

export interface RequestAuthentication {
  kind: 'RequestAuthentication';
  apiVersion: string;
  namespace: string;
  name: string;
  /** undefined: no selector (the whole namespace, or the mesh in the root namespace). */
  selector?: Record<string, string>;
  hasTargetRefs: boolean;
  jwtRules: JwtRule[];
}

export interface Source {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

export interface Operation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface Condition {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface Rule {
  from: Source[];
  to: Operation[];
  when: Condition[];
}

export type Action = 'ALLOW' | 'DENY' | 'CUSTOM' | 'AUDIT';

export interface AuthorizationPolicy {
  kind: 'AuthorizationPolicy';
  apiVersion: string;
  namespace: string;
  name: string;
  selector?: Record<string, string>;
  hasTargetRefs: boolean;
  action: Action;
  provider?: string;
  /** `rules` as written; an ALLOW policy without rules allows nothing. */
  rules: Rule[];
  /** spec.rules was absent (as opposed to present and empty). */
  rulesAbsent: boolean;
}

export interface EnvoyFilter {
  kind: 'EnvoyFilter';
  apiVersion: string;
  namespace: string;
  name: string;
  workloadSelector?: Record<string, string>;
  /** Lower-cased header names a Lua filter on SIDECAR_INBOUND removes. */
  strippedHeaders: string[];
  /** Inserted before jwt_authn (so it runs on the inbound request before claims are copied). */
  beforeJwtAuthn: boolean;
}

export interface Telemetry {
  kind: 'Telemetry';
  apiVersion: string;
  namespace: string;
  name: string;
  selector?: Record<string, string>;
  /** undefined: no accessLogging stanza; true/false: enables/disables access logs. */
  accessLogging?: boolean;
}

export interface Pod {
  kind: 'Pod';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: string[];
  hasSidecar: boolean;
  phase: string;
}

export type IstioObject = RequestAuthentication | AuthorizationPolicy | EnvoyFilter | Telemetry;

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'string') out[k] = x;
  return out;
}

function selectorOf(spec: Raw, field = 'selector'): Record<string, string> | undefined {
  const sel = spec[field];
  if (sel === undefined || sel === null) return undefined;
  const o = obj(sel);
  const ml = field === 'workloadSelector' ? o['labels'] : o['matchLabels'];
  return labelsOf(ml);
}

function meta(raw: Raw, defaultNamespace: string): { namespace: string; name: string; apiVersion: string } {
  const m = obj(raw['metadata']);
  return { namespace: str(m['namespace']) ?? defaultNamespace, name: str(m['name']) ?? '', apiVersion: str(raw['apiVersion']) ?? '' };
}

function jwtRuleOf(v: unknown): JwtRule {
  const r = obj(v);
  return {
    issuer: str(r['issuer']) ?? '',
    audiences: strs(r['audiences']) ?? [],
    ...(str(r['jwksUri']) !== undefined ? { jwksUri: str(r['jwksUri'])! } : {}),
    ...(str(r['jwks']) !== undefined ? { jwks: str(r['jwks'])! } : {}),
    forwardOriginalToken: r['forwardOriginalToken'] === true,
    outputClaimToHeaders: arr(r['outputClaimToHeaders']).map((x) => ({ header: str(obj(x)['header']) ?? '', claim: str(obj(x)['claim']) ?? '' })),
    fromHeaders: arr(r['fromHeaders']).map((x) => ({ name: str(obj(x)['name']) ?? '', ...(str(obj(x)['prefix']) !== undefined ? { prefix: str(obj(x)['prefix'])! } : {}) })),
    fromParams: strs(r['fromParams']) ?? [],
    fromCookies: strs(r['fromCookies']) ?? [],
    spaceDelimitedClaims: strs(r['spaceDelimitedClaims']) ?? [],
  };
}

function sourceOf(v: unknown): Source {
  const s = obj(obj(v)['source']);
  const out: Source = {};
  for (const k of ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) {
    const x = strs(s[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

function operationOf(v: unknown): Operation {
  const o = obj(obj(v)['operation']);
  const out: Operation = {};
  for (const k of ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const) {
    const x = strs(o[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

function conditionOf(v: unknown): Condition {
  const c = obj(v);
  return {
    key: str(c['key']) ?? '',
    ...(strs(c['values']) !== undefined ? { values: strs(c['values'])! } : {}),
    ...(strs(c['notValues']) !== undefined ? { notValues: strs(c['notValues'])! } : {}),
  };
}

export function toRequestAuthentication(raw: Raw, defaultNamespace = 'default'): RequestAuthentication {
  const spec = obj(raw['spec']);
  const sel = selectorOf(spec);
  return {
    kind: 'RequestAuthentication', ...meta(raw, defaultNamespace),
    ...(sel !== undefined ? { selector: sel } : {}),
    hasTargetRefs: arr(spec['targetRefs']).length > 0 || spec['targetRef'] !== undefined,
    jwtRules: arr(spec['jwtRules']).map(jwtRuleOf),
  };
}

export function toAuthorizationPolicy(raw: Raw, defaultNamespace = 'default'): AuthorizationPolicy {
  const spec = obj(raw['spec']);
  const sel = selectorOf(spec);
  const action = (str(spec['action']) ?? 'ALLOW').toUpperCase();
  const provider = str(obj(spec['provider'])['name']);
  return {
    kind: 'AuthorizationPolicy', ...meta(raw, defaultNamespace),
    ...(sel !== undefined ? { selector: sel } : {}),
    hasTargetRefs: arr(spec['targetRefs']).length > 0 || spec['targetRef'] !== undefined,
    action: (['ALLOW', 'DENY', 'CUSTOM', 'AUDIT'].includes(action) ? action : 'ALLOW') as Action,
    ...(provider !== undefined ? { provider } : {}),
    rules: arr(spec['rules']).map((r) => ({
      from: arr(obj(r)['from']).map(sourceOf),
      to: arr(obj(r)['to']).map(operationOf),
      when: arr(obj(r)['when']).map(conditionOf),
    })),
    rulesAbsent: spec['rules'] === undefined,
  };
}

/** Header names a Lua filter removes: quoted header-like strings next to remove(...) calls or in a list. */
export function strippedHeadersFromLua(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/remove\(\s*["']([-_A-Za-z0-9]+)["']\s*\)/g)) found.add(m[1]!.toLowerCase());
  if (/remove\(/.test(code)) {
    // a table of names iterated with remove(name): { "x-user-id", "x-user-roles" }
    for (const t of code.matchAll(/\{([^{}]*)\}/g)) {
      for (const m of t[1]!.matchAll(/["']([-_A-Za-z0-9]+)["']/g)) found.add(m[1]!.toLowerCase());
    }
  }
  return [...found].sort();
}

export function toEnvoyFilter(raw: Raw, defaultNamespace = 'default'): EnvoyFilter {
  const spec = obj(raw['spec']);
  const sel = selectorOf(spec, 'workloadSelector');
  const stripped = new Set<string>();
  let before = false;
  for (const p of arr(spec['configPatches'])) {
    const patch = obj(p);
    if (str(patch['applyTo']) !== 'HTTP_FILTER') continue;
    const ctx = str(obj(patch['match'])['context']);
    if (ctx !== undefined && ctx !== 'SIDECAR_INBOUND' && ctx !== 'ANY') continue;
    const value = obj(obj(patch['patch'])['value']);
    const typed = obj(value['typed_config'] ?? value['typedConfig']);
    const code = str(typed['inlineCode']) ?? str(typed['inline_code']) ?? str(obj(obj(typed['default_source_code'] ?? typed['defaultSourceCode']))['inline_string']) ?? '';
    if (!code) continue;
    for (const h of strippedHeadersFromLua(code)) stripped.add(h);
    const subName = str(obj(obj(obj(obj(obj(patch['match'])['listener'])['filterChain'])['filter'])['subFilter'])['name']);
    if (str(obj(patch['patch'])['operation']) === 'INSERT_BEFORE' && subName === 'envoy.filters.http.jwt_authn') before = true;
    if (str(obj(patch['patch'])['operation']) === 'INSERT_FIRST') before = true;
  }
  return {
    kind: 'EnvoyFilter', ...meta(raw, defaultNamespace), ...(sel !== undefined ? { workloadSelector: sel } : {}),
    strippedHeaders: [...stripped].sort(), beforeJwtAuthn: before,
  };
}

export function toTelemetry(raw: Raw, defaultNamespace = 'default'): Telemetry {
  const spec = obj(raw['spec']);
  const sel = selectorOf(spec);
  const logging = arr(spec['accessLogging']);
  let accessLogging: boolean | undefined;
  if (logging.length) {
    accessLogging = logging.some((l) => obj(l)['disabled'] !== true);
  }
  return { kind: 'Telemetry', ...meta(raw, defaultNamespace), ...(sel !== undefined ? { selector: sel } : {}), ...(accessLogging !== undefined ? { accessLogging } : {}) };
}

export function toPod(raw: Raw, defaultNamespace = 'default'): Pod {
  const m = obj(raw['metadata']);
  const spec = obj(raw['spec']);
  const containers = arr(spec['containers']).map((c) => str(obj(c)['name']) ?? '');
  const nativeSidecar = arr(spec['initContainers']).some((c) => str(obj(c)['name']) === SIDECAR_CONTAINER && str(obj(c)['restartPolicy']) === 'Always');
  return {
    kind: 'Pod', namespace: str(m['namespace']) ?? defaultNamespace, name: str(m['name']) ?? '', labels: labelsOf(m['labels']),
    containers, hasSidecar: containers.includes(SIDECAR_CONTAINER) || nativeSidecar, phase: str(obj(raw['status'])['phase']) ?? '',
  };
}

/** A mix of raw objects (a manifest set) sorted into typed lists; unknown kinds are counted. */
export interface ObjectSet {
  requestAuthentications: RequestAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  envoyFilters: EnvoyFilter[];
  telemetries: Telemetry[];
  pods: Pod[];
  ignored: number;
}

export function emptySet(): ObjectSet {
  return { requestAuthentications: [], authorizationPolicies: [], envoyFilters: [], telemetries: [], pods: [], ignored: 0 };
}

/** Sort raw objects (multi-document YAML, `kind: List`, `kubectl get -o yaml`) by kind. */
export function sortObjects(raws: unknown[], defaultNamespace: string, into: ObjectSet = emptySet()): ObjectSet {
  for (const r of raws) {
    const o = obj(r);
    const kind = str(o['kind']);
    if (kind === 'List' || (kind?.endsWith('List') && Array.isArray(o['items']))) {
      sortObjects(arr(o['items']), defaultNamespace, into);
      continue;
    }
    if (kind === 'RequestAuthentication') into.requestAuthentications.push(toRequestAuthentication(o, defaultNamespace));
    else if (kind === 'AuthorizationPolicy') into.authorizationPolicies.push(toAuthorizationPolicy(o, defaultNamespace));
    else if (kind === 'EnvoyFilter') into.envoyFilters.push(toEnvoyFilter(o, defaultNamespace));
    else if (kind === 'Telemetry') into.telemetries.push(toTelemetry(o, defaultNamespace));
    else if (kind === 'Pod') into.pods.push(toPod(o, defaultNamespace));
    else into.ignored++;
  }
  return into;
}
