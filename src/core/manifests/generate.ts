// What the Omnia chart renders for authentication.* (reference §1), generated from an
// AuthConfig: deterministic, in the chart's order, plus our managed-by label.
import { AGENT_LABEL, AGENT_LABEL_VALUE } from '../istio/model.js';

export const FIELD_MANAGER = 'kubectl-omnia-auth';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': FIELD_MANAGER } as const;
export const DEFAULT_EXCLUDE_PATHS = ['/healthz', '/readyz'];
export const DEFAULT_STRIP_HEADERS = ['x-user-id', 'x-user-roles', 'x-user-email'];

export interface RequiredClaim {
  claim: string;
  values: string[];
}

export interface AuthConfig {
  release: string;
  namespace: string;
  issuer: string;
  jwksUri: string;
  audiences: string[];
  forwardOriginalToken: boolean;
  outputClaimToHeaders: Array<{ header: string; claim: string }>;
  requiredClaims: RequiredClaim[];
  excludePaths: string[];
  stripInboundClaimHeaders: boolean;
  additionalStripHeaders: string[];
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: Record<string, unknown> };

export const names = (release: string) => ({
  requestAuthentication: `${release}-agent-jwt`,
  requirePolicy: `${release}-agent-require-jwt`,
  denyPolicy: `${release}-agent-deny-unauthenticated`,
  envoyFilter: `${release}-agent-strip-edge-trust-headers`,
});

const selector = () => ({ matchLabels: { [AGENT_LABEL]: AGENT_LABEL_VALUE } });
const meta = (name: string, namespace: string) => ({ name, namespace, labels: { ...MANAGED_BY } });

/** Lower-cased, de-duplicated, sorted union of the default, claim and additional headers. */
export function stripHeaderList(c: Pick<AuthConfig, 'outputClaimToHeaders' | 'additionalStripHeaders'>): string[] {
  return [...new Set([...DEFAULT_STRIP_HEADERS, ...c.outputClaimToHeaders.map((h) => h.header), ...c.additionalStripHeaders].map((h) => h.toLowerCase()))].sort();
}

export function stripLua(headers: readonly string[]): string {
  return [
    'function envoy_on_request(request_handle)',
    '  local headers = request_handle:headers()',
    ...headers.map((h) => `  headers:remove("${h}")`),
    'end',
    '',
  ].join('\n');
}

export function generate(c: AuthConfig): K8sObject[] {
  const n = names(c.release);
  const jwtRule: Record<string, unknown> = { issuer: c.issuer, jwksUri: c.jwksUri };
  if (c.audiences.length) jwtRule['audiences'] = [...c.audiences];
  jwtRule['forwardOriginalToken'] = c.forwardOriginalToken;
  if (c.outputClaimToHeaders.length) jwtRule['outputClaimToHeaders'] = c.outputClaimToHeaders.map((h) => ({ header: h.header, claim: h.claim }));

  const requireRules: unknown[] = [];
  if (c.excludePaths.length) requireRules.push({ to: [{ operation: { paths: [...c.excludePaths] } }] });
  const principalRule: Record<string, unknown> = { from: [{ source: { requestPrincipals: ['*'] } }] };
  if (c.requiredClaims.length) principalRule['when'] = c.requiredClaims.map((r) => ({ key: `request.auth.claims[${r.claim}]`, values: [...r.values] }));
  requireRules.push(principalRule);

  const objects: K8sObject[] = [
    { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: meta(n.requestAuthentication, c.namespace), spec: { selector: selector(), jwtRules: [jwtRule] } },
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta(n.requirePolicy, c.namespace), spec: { selector: selector(), action: 'ALLOW', rules: requireRules } },
    {
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta(n.denyPolicy, c.namespace),
      spec: {
        selector: selector(), action: 'DENY',
        rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPaths: c.excludePaths.length ? [...c.excludePaths] : [...DEFAULT_EXCLUDE_PATHS] } }] }],
      },
    },
  ];
  if (c.stripInboundClaimHeaders) {
    objects.push({
      apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: meta(n.envoyFilter, c.namespace),
      spec: {
        workloadSelector: { labels: { [AGENT_LABEL]: AGENT_LABEL_VALUE } },
        configPatches: [{
          applyTo: 'HTTP_FILTER',
          match: { context: 'SIDECAR_INBOUND', listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.jwt_authn' } } } } },
          patch: {
            operation: 'INSERT_BEFORE',
            value: { name: 'envoy.filters.http.lua', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua', inlineCode: stripLua(stripHeaderList(c)) } },
          },
        }],
      },
    });
  }
  return objects;
}

/** The chart values that render the same objects (authentication.* and istio.enabled). */
export function helmValues(c: AuthConfig): Record<string, unknown> {
  return {
    istio: { enabled: true },
    authentication: {
      enabled: true,
      jwt: { issuer: c.issuer, jwksUri: c.jwksUri, audiences: [...c.audiences], forwardOriginalToken: c.forwardOriginalToken, outputClaimToHeaders: c.outputClaimToHeaders.map((h) => ({ ...h })) },
      authorization: { requiredClaims: c.requiredClaims.map((r) => ({ claim: r.claim, values: [...r.values] })), excludePaths: [...c.excludePaths] },
      edgeTrust: { stripInboundClaimHeaders: c.stripInboundClaimHeaders, additionalStripHeaders: [...c.additionalStripHeaders] },
    },
  };
}
