// status's judgement: analyzers over a snapshot of what the cluster (or a set of manifests)
// holds, producing findings from the one catalogue. Pure; an analyzer that throws becomes an
// OA0099 finding, never a crash of the report.
import { finding, sortFindings, type Finding } from '../findings.js';
import { DEFAULT_SPACE_DELIMITED, decide, claimPath, isKnownConditionKey, type AuthzRequest } from './authz.js';
import { describePolicy } from './describe.js';
import {
  AGENT_INSTANCE_LABEL, refString,
  type AuthorizationPolicy, type EnvoyFilter, type Pod, type RequestAuthentication, type Telemetry,
} from './model.js';
import { accessLoggingFor, appliesTo, podsSelectedBy } from './select.js';

export const DEFAULT_STRIP_HEADERS = ['x-user-email', 'x-user-id', 'x-user-roles'];

export interface JwksProbe {
  issuer: string;
  /** The RequestAuthentications (ns/name) whose jwtRules use this issuer. */
  usedBy: Array<{ namespace: string; name: string }>;
  configuredJwksUri?: string;
  discovery?: { ok: boolean; url: string; issuer?: string; jwksUri?: string; problem?: string };
  jwks?: { ok: boolean; uri: string; keys: number; problem?: string; remedy?: string };
}

export interface Snapshot {
  rootNamespace: string;
  /** "namespace omnia-system", "all namespaces", "manifests a.yaml". */
  scope: string;
  podSelector: string;
  pods: Pod[];
  requestAuthentications: RequestAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  envoyFilters: EnvoyFilter[];
  telemetries: Telemetry[];
  /** API resources the server does not serve (CRDs missing), e.g. requestauthentications.security.istio.io. */
  missingApis: string[];
  forbidden: Array<{ verb: string; resource: string; namespace?: string }>;
  jwksProbes: JwksProbe[];
  /** meshConfig access logging when known (accessLogFile set). */
  meshAccessLog?: boolean;
  /** Whether the pod list is complete (not forbidden): selector findings need it. */
  podsComplete: boolean;
}

export interface Analyzer {
  name: string;
  codes: string[];
  run(s: Snapshot): Finding[];
}

const podRef = (p: Pod) => ({ kind: 'Pod', namespace: p.namespace, name: p.name });
const objRef = (o: { kind: string; namespace: string; name: string }) => ({ kind: o.kind, namespace: o.namespace, name: o.name });
const sel = (s?: Record<string, string>) => (s ? Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',') : '');

function rasFor(s: Snapshot, pod: Pod) {
  return s.requestAuthentications.filter((r) => appliesTo(r, pod, s.rootNamespace));
}
function apsFor(s: Snapshot, pod: Pod) {
  return s.authorizationPolicies.filter((p) => appliesTo(p, pod, s.rootNamespace));
}
function needsPrincipal(p: AuthorizationPolicy): string | undefined {
  for (const r of p.rules) {
    for (const f of r.from) {
      if (f.requestPrincipals) return `requestPrincipals ${JSON.stringify(f.requestPrincipals)}`;
      if (f.notRequestPrincipals) return `notRequestPrincipals ${JSON.stringify(f.notRequestPrincipals)}`;
    }
    for (const c of r.when) if (c.key.startsWith('request.auth.')) return c.key;
  }
  return undefined;
}
const looksLikeOmnia = (o: { name: string; selector?: Record<string, string> }) =>
  /agent|omnia/i.test(o.name) || Object.keys(o.selector ?? {}).some((k) => k.startsWith('omnia.altairalabs.ai/')) ||
  o.selector?.['app.kubernetes.io/name'] === 'omnia-agent';

export const ANALYZERS: Analyzer[] = [
  {
    name: 'istio-crds', codes: ['OA0001'],
    run: (s) => (s.missingApis.length ? [finding('OA0001', { kind: 'CustomResourceDefinition', namespace: '', name: s.missingApis.join(',') }, { resources: s.missingApis.join(', ') })] : []),
  },
  {
    name: 'forbidden-reads', codes: ['OA0017'],
    run: (s) => s.forbidden.map((f) => finding('OA0017', { kind: f.resource, namespace: f.namespace ?? '', name: '' }, { verb: f.verb, resource: f.resource, namespace: f.namespace ?? '' })),
  },
  {
    name: 'agent-pods', codes: ['OA0018'],
    run: (s) => (s.podsComplete && s.pods.length === 0 ? [finding('OA0018', { kind: 'Pod', namespace: '', name: '' }, { selector: s.podSelector, scope: s.scope })] : []),
  },
  {
    name: 'sidecar', codes: ['OA0002'],
    run: (s) => s.pods.filter((p) => !p.hasSidecar).map((p) => finding('OA0002', podRef(p), { namespace: p.namespace })),
  },
  {
    name: 'token-not-required', codes: ['OA0003'],
    run: (s) => {
      const out: Finding[] = [];
      const seen = new Set<string>();
      for (const pod of s.pods.filter((p) => p.hasSidecar)) {
        const ras = rasFor(s, pod);
        if (!ras.length) continue;
        for (const path of ['/ws', '/']) {
          const req: AuthzRequest = { principal: null, claims: null, spaceDelimitedClaims: DEFAULT_SPACE_DELIMITED, path, method: 'GET', headers: {} };
          const d = decide(apsFor(s, pod), req);
          if (d.allowed === true) {
            const key = `${pod.namespace}/${pod.labels[AGENT_INSTANCE_LABEL] ?? pod.name}`;
            if (!seen.has(key)) {
              seen.add(key);
              out.push(finding('OA0003', podRef(pod), { ra: ras.map(refString).join(', '), path }));
            }
            break;
          }
        }
      }
      return out;
    },
  },
  {
    name: 'principal-without-ra', codes: ['OA0004'],
    run: (s) => {
      const out: Finding[] = [];
      for (const p of s.authorizationPolicies) {
        const needs = needsPrincipal(p);
        if (!needs) continue;
        const orphans = podsSelectedBy(p, s.pods, s.rootNamespace).filter((pod) => pod.hasSidecar && rasFor(s, pod).length === 0);
        if (!orphans.length) continue;
        out.push(finding('OA0004', objRef(p), {
          policy: refString(p), needs, pod: orphans.length > 1 ? `${orphans[0]!.name} and ${orphans.length - 1} more` : orphans[0]!.name, namespace: orphans[0]!.namespace,
        }));
      }
      return out;
    },
  },
  {
    name: 'selects-nothing', codes: ['OA0005', 'OA0006'],
    run: (s) => {
      if (!s.podsComplete) return [];
      const out: Finding[] = [];
      for (const r of s.requestAuthentications) {
        if (looksLikeOmnia(r) && !r.hasTargetRefs && podsSelectedBy(r, s.pods, s.rootNamespace).length === 0) out.push(finding('OA0005', objRef(r), { selector: sel(r.selector) }));
      }
      for (const p of s.authorizationPolicies) {
        if (looksLikeOmnia(p) && !p.hasTargetRefs && podsSelectedBy(p, s.pods, s.rootNamespace).length === 0) out.push(finding('OA0006', objRef(p), { selector: sel(p.selector) }));
      }
      return out;
    },
  },
  {
    name: 'jwks', codes: ['OA0007', 'OA0008', 'OA0009'],
    run: (s) => {
      const out: Finding[] = [];
      for (const probe of s.jwksProbes) {
        const subject = { kind: 'RequestAuthentication', ...probe.usedBy[0]! };
        const d = probe.discovery;
        if (d?.ok && d.issuer !== undefined && d.issuer !== probe.issuer) {
          out.push(finding('OA0008', subject, { issuer: probe.issuer, discovered: d.issuer }));
        }
        if (probe.configuredJwksUri && d?.ok && d.jwksUri && d.jwksUri !== probe.configuredJwksUri) {
          const chartGuess = `${probe.issuer}/.well-known/jwks.json`;
          const doubled = /[^:]\/\//.test(probe.configuredJwksUri);
          if (probe.configuredJwksUri === chartGuess || doubled) {
            out.push(finding('OA0009', subject, {
              uri: probe.configuredJwksUri, discovered: d.jwksUri, issuer: probe.issuer,
              why: doubled ? 'has a doubled slash (the chart appends /.well-known/jwks.json to an issuer ending in /)' : "is the chart's default issuer + /.well-known/jwks.json",
            }));
          }
        }
        if (probe.jwks && !probe.jwks.ok) {
          out.push(finding('OA0007', subject, { issuer: probe.issuer, uri: probe.jwks.uri, problem: probe.jwks.problem ?? 'failed', ...(probe.jwks.remedy ? { remedy: probe.jwks.remedy } : {}) }));
        } else if (!probe.jwks && !probe.configuredJwksUri && d && !d.ok) {
          out.push(finding('OA0007', subject, { issuer: probe.issuer, uri: d.url, problem: `discovery failed: ${d.problem ?? ''}` }));
        }
      }
      return out;
    },
  },
  {
    name: 'claim-headers', codes: ['OA0010'],
    run: (s) => {
      const out: Finding[] = [];
      for (const ra of s.requestAuthentications) {
        const pods = podsSelectedBy(ra, s.pods, s.rootNamespace).filter((p) => p.hasSidecar);
        if (!pods.length) continue;
        const headers = new Set(DEFAULT_STRIP_HEADERS);
        for (const r of ra.jwtRules) for (const h of r.outputClaimToHeaders) if (h.header) headers.add(h.header.toLowerCase());
        const exposed = pods.filter((pod) => {
          const stripped = new Set(s.envoyFilters.filter((f) => appliesTo(f, pod, s.rootNamespace)).flatMap((f) => f.strippedHeaders));
          return [...headers].some((h) => !stripped.has(h));
        });
        if (!exposed.length) continue;
        const stripped = new Set(s.envoyFilters.filter((f) => appliesTo(f, exposed[0]!, s.rootNamespace)).flatMap((f) => f.strippedHeaders));
        const missing = [...headers].filter((h) => !stripped.has(h)).sort();
        out.push(finding('OA0010', objRef(ra), { headers: missing.join(', '), example: missing[0]! }));
      }
      return out;
    },
  },
  {
    name: 'open-paths', codes: ['OA0011'],
    run: (s) => {
      const out: Finding[] = [];
      const seen = new Set<string>();
      for (const pod of s.pods) {
        const aps = apsFor(s, pod);
        const allowOpen = aps.filter((p) => p.action === 'ALLOW').flatMap((p) => p.rules.filter((r) => r.from.length === 0 && r.when.length === 0 && r.to.some((o) => o.paths)).map((r) => ({ p, paths: r.to.flatMap((o) => o.paths ?? []) })));
        const denyExempt = aps.filter((p) => p.action === 'DENY').flatMap((p) => p.rules.filter((r) => r.from.some((f) => f.notRequestPrincipals) && r.to.some((o) => o.notPaths)).map((r) => ({ p, paths: r.to.flatMap((o) => o.notPaths ?? []) })));
        for (const a of allowOpen) {
          for (const d of denyExempt) {
            const key = `${refString(a.p)}|${refString(d.p)}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const A = new Set(a.paths);
            const D = new Set(d.paths);
            const onlyA = [...A].filter((x) => !D.has(x));
            const onlyD = [...D].filter((x) => !A.has(x));
            if (!onlyA.length && !onlyD.length) continue;
            const effect = [
              onlyA.length ? `${onlyA.join(', ')} without a token is still denied by the DENY policy` : '',
              onlyD.length ? `${onlyD.join(', ')} without a token passes the DENY policy but no ALLOW rule opens it (403)` : '',
            ].filter(Boolean).join('; ');
            out.push(finding('OA0011', objRef(a.p), { allow: refString(a.p), deny: refString(d.p), allowPaths: `{${a.paths.join(', ')}}`, denyPaths: `{${d.paths.join(', ')}}`, effect }));
          }
        }
      }
      return out;
    },
  },
  {
    name: 'conditions', codes: ['OA0012'],
    run: (s) => {
      const out: Finding[] = [];
      const delimited = new Set([...DEFAULT_SPACE_DELIMITED, ...s.requestAuthentications.flatMap((r) => r.jwtRules.flatMap((j) => j.spaceDelimitedClaims))]);
      for (const p of s.authorizationPolicies) {
        p.rules.forEach((r, i) => {
          for (const c of r.when) {
            if (!isKnownConditionKey(c.key)) {
              out.push(finding('OA0012', objRef(p), {
                why: `rule ${i}: condition key ${JSON.stringify(c.key)} is not one Istio knows, so the condition is ignored`,
                remedy: 'Use request.auth.claims[<claim>] (nested: request.auth.claims[a][b]), request.auth.principal, request.auth.audiences, request.auth.presenter or request.headers[<name>].',
              }));
              continue;
            }
            const path = claimPath(c.key);
            if (path && path.length === 1 && delimited.has(path[0]!)) {
              const spaced = [...(c.values ?? []), ...(c.notValues ?? [])].filter((v) => v.includes(' '));
              if (spaced.length) {
                out.push(finding('OA0012', objRef(p), {
                  why: `rule ${i}: ${c.key} value ${JSON.stringify(spaced[0])} contains a space, but Istio splits the ${path[0]} claim on spaces, so it can never match`,
                  remedy: `List each scope as its own value: values: [${spaced[0]!.split(' ').filter(Boolean).map((x) => JSON.stringify(x)).join(', ')}] (any one matches).`,
                }));
              }
            }
          }
        });
      }
      return out;
    },
  },
  {
    name: 'access-logging', codes: ['OA0013'],
    run: (s) => {
      const off = s.pods.filter((p) => p.hasSidecar).filter((p) => {
        const t = accessLoggingFor(p, s.telemetries, s.rootNamespace);
        return t ? !t.enabled : s.meshAccessLog !== true;
      });
      if (!off.length) return [];
      const nss = [...new Set(off.map((p) => p.namespace))];
      return [finding('OA0013', { kind: 'Namespace', namespace: '', name: nss.join(',') })];
    },
  },
  {
    name: 'api-version', codes: ['OA0014'],
    run: (s) => [...s.requestAuthentications, ...s.authorizationPolicies].filter((o) => o.apiVersion.endsWith('/v1beta1')).map((o) => finding('OA0014', objRef(o), { apiVersion: o.apiVersion })),
  },
  {
    name: 'duplicate-issuer', codes: ['OA0015'],
    run: (s) => {
      const out: Finding[] = [];
      const seen = new Set<string>();
      for (const pod of s.pods) {
        const byIssuer = new Map<string, RequestAuthentication[]>();
        for (const ra of rasFor(s, pod)) for (const j of ra.jwtRules) byIssuer.set(j.issuer, [...(byIssuer.get(j.issuer) ?? []), ra]);
        for (const [issuer, ras] of byIssuer) {
          const names = [...new Set(ras.map(refString))].sort();
          if (names.length < 2) continue;
          const key = `${issuer}|${names.join(',')}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(finding('OA0015', objRef(ras[0]!), { issuer, others: names.join(' and ') }));
        }
      }
      return out;
    },
  },
  {
    name: 'audiences', codes: ['OA0016'],
    run: (s) => s.requestAuthentications.flatMap((ra) => ra.jwtRules.filter((j) => j.audiences.length === 0).map((j) => finding('OA0016', objRef(ra), { issuer: j.issuer }))),
  },
];

export function runAnalyzers(s: Snapshot, analyzers: Analyzer[] = ANALYZERS): Finding[] {
  const out: Finding[] = [];
  for (const a of analyzers) {
    try {
      out.push(...a.run(s));
    } catch (e) {
      out.push(finding('OA0099', { kind: 'Analyzer', namespace: '', name: a.name }, { analyzer: a.name, error: e instanceof Error ? e.message : String(e) }));
    }
  }
  return sortFindings(out);
}

// ---------- the status report (the -o json contract) ----------

export interface StatusReport {
  scope: string;
  findings: Finding[];
  requestAuthentications: Array<{
    namespace: string; name: string; apiVersion: string; selector: Record<string, string> | null;
    jwtRules: Array<{ issuer: string; jwksUri: string | null; inlineJwks: boolean; audiences: string[]; forwardOriginalToken: boolean; outputClaimToHeaders: Array<{ header: string; claim: string }> }>;
    pods: string[];
  }>;
  authorizationPolicies: Array<{ namespace: string; name: string; apiVersion: string; action: string; selector: Record<string, string> | null; rules: number; description: string[]; pods: string[] }>;
  workloads: Array<{
    namespace: string; name: string; agent: string | null; sidecar: boolean; phase: string;
    requestAuthentications: string[]; authorizationPolicies: string[]; envoyFilters: string[]; accessLogging: boolean | null;
  }>;
  jwks: JwksProbe[];
}

export function buildStatusReport(s: Snapshot): StatusReport {
  const podNames = (o: { namespace: string; selector?: Record<string, string>; hasTargetRefs: boolean }) => podsSelectedBy(o, s.pods, s.rootNamespace).map(refString);
  return {
    scope: s.scope,
    findings: runAnalyzers(s),
    requestAuthentications: s.requestAuthentications.map((r) => ({
      namespace: r.namespace, name: r.name, apiVersion: r.apiVersion, selector: r.selector ?? null,
      jwtRules: r.jwtRules.map((j) => ({
        issuer: j.issuer, jwksUri: j.jwksUri ?? null, inlineJwks: j.jwks !== undefined, audiences: j.audiences,
        forwardOriginalToken: j.forwardOriginalToken, outputClaimToHeaders: j.outputClaimToHeaders,
      })),
      pods: podNames(r),
    })),
    authorizationPolicies: s.authorizationPolicies.map((p) => ({
      namespace: p.namespace, name: p.name, apiVersion: p.apiVersion, action: p.action, selector: p.selector ?? null, rules: p.rules.length,
      description: describePolicy(p), pods: podNames(p),
    })),
    workloads: s.pods.map((p) => {
      const log = accessLoggingFor(p, s.telemetries, s.rootNamespace);
      return {
        namespace: p.namespace, name: p.name, agent: p.labels[AGENT_INSTANCE_LABEL] ?? null, sidecar: p.hasSidecar, phase: p.phase,
        requestAuthentications: rasFor(s, p).map(refString),
        authorizationPolicies: apsFor(s, p).map(refString),
        envoyFilters: s.envoyFilters.filter((f) => appliesTo(f, p, s.rootNamespace)).map(refString),
        accessLogging: log ? log.enabled : s.meshAccessLog ?? null,
      };
    }),
    jwks: s.jwksProbes,
  };
}
