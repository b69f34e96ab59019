// The one catalogue of findings: stable codes (a contract, like istioctl's IST0xxx), their
// severity and wording. Analyzers call finding(code, subject, params); nothing else words them.
import type { ObjectRef } from './istio/model.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: string;
  severity: Severity;
  subject: ObjectRef;
  message: string;
  remedy: string;
}

type P = Record<string, string>;

interface Entry {
  severity: Severity;
  title: string;
  message: (p: P) => string;
  remedy: (p: P) => string;
}

export const ACCESS_LOG_TELEMETRY = `kubectl apply -f - <<'EOF'
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: mesh-default, namespace: istio-system}
spec: {accessLogging: [{providers: [{name: envoy}]}]}
EOF`;

export const CATALOGUE: Record<string, Entry> = {
  OA0001: {
    severity: 'error', title: 'Istio security CRDs not installed',
    message: (p) => `the ${p['resources']} API is not served by this cluster: Istio is not installed (or not its CRDs)`,
    remedy: () => 'Install Istio (istioctl install, or the istio/base Helm chart) before enabling authentication.istio in the Omnia chart.',
  },
  OA0002: {
    severity: 'error', title: 'agent pod without sidecar',
    message: (p) => `agent pod has no istio-proxy sidecar: no RequestAuthentication or AuthorizationPolicy is enforced on it, every request reaches the agent`,
    remedy: (p) => `kubectl label namespace ${p['namespace']} istio-injection=enabled && kubectl -n ${p['namespace']} rollout restart deployment (or check the sidecar.istio.io/inject annotation)`,
  },
  OA0003: {
    severity: 'error', title: 'tokens validated but not required',
    message: (p) => `RequestAuthentication ${p['ra']} validates tokens on this pod, but no AuthorizationPolicy requires one: a request without any token to ${p['path']} is allowed`,
    remedy: () => 'Add a DENY policy with from.source.notRequestPrincipals: ["*"] (or an ALLOW policy with requestPrincipals: ["*"]); kubectl omnia-auth apply generates both.',
  },
  OA0004: {
    severity: 'error', title: 'principal required but no RequestAuthentication',
    message: (p) => `AuthorizationPolicy ${p['policy']} needs ${p['needs']} on pod ${p['pod']}, but no RequestAuthentication selects that pod: no request can have a principal, so every request is denied (403)`,
    remedy: (p) => `Create a RequestAuthentication selecting the pod (namespace ${p['namespace']}, or the root namespace), or fix the selectors.`,
  },
  OA0005: {
    severity: 'warning', title: 'RequestAuthentication selects no pods',
    message: (p) => `selects no agent pods${p['selector'] ? ` (selector ${p['selector']})` : ''}`,
    remedy: () => 'Fix spec.selector.matchLabels (Omnia agents carry omnia.altairalabs.ai/component: agent) or delete the resource.',
  },
  OA0006: {
    severity: 'warning', title: 'AuthorizationPolicy selects no pods',
    message: (p) => `selects no agent pods${p['selector'] ? ` (selector ${p['selector']})` : ''}`,
    remedy: () => 'Fix spec.selector.matchLabels (Omnia agents carry omnia.altairalabs.ai/component: agent) or delete the resource.',
  },
  OA0007: {
    severity: 'error', title: 'JWKS unreachable or invalid',
    message: (p) => `JWKS for issuer ${p['issuer']} at ${p['uri']}: ${p['problem']}; istiod would push a placeholder key and every token would fail`,
    remedy: (p) => p['remedy'] ?? 'Check the jwksUri (curl it), and that istiod can reach it; istiod logs "Failed to fetch public key from jwks URI".',
  },
  OA0008: {
    severity: 'error', title: 'issuer differs from discovery',
    message: (p) => `issuer ${JSON.stringify(p['issuer'])} differs from the provider's discovery issuer ${JSON.stringify(p['discovered'])}: every token gets "Jwt issuer is not configured" (401)`,
    remedy: (p) => `Set jwtRules[].issuer to exactly ${JSON.stringify(p['discovered'])} (a trailing slash counts).`,
  },
  OA0009: {
    severity: 'error', title: "jwksUri is the chart's guess",
    message: (p) => `jwksUri ${p['uri']} ${p['why']}, but the provider's discovery names ${p['discovered']}`,
    remedy: (p) => `Set jwksUri to ${p['discovered']} (authentication.jwt.jwksUri in the chart values), or run kubectl omnia-auth apply --issuer ${p['issuer']}.`,
  },
  OA0010: {
    severity: 'warning', title: 'identity headers can be spoofed',
    message: (p) => `headers ${p['headers']} reach the agent and no EnvoyFilter strips inbound copies: a caller holding any valid token can send its own ${p['example']} and be trusted`,
    remedy: () => 'Enable authentication.edgeTrust.stripInboundClaimHeaders in the chart, or kubectl omnia-auth apply (it generates the strip EnvoyFilter).',
  },
  OA0011: {
    severity: 'warning', title: 'open paths differ between ALLOW and DENY',
    message: (p) => `ALLOW policy ${p['allow']} opens ${p['allowPaths']} without a token but DENY policy ${p['deny']} exempts ${p['denyPaths']}: ${p['effect']}`,
    remedy: () => 'Use the same list in both (the chart takes both from authentication.excludePaths).',
  },
  OA0012: {
    severity: 'warning', title: 'condition that cannot match as written',
    message: (p) => p['why']!,
    remedy: (p) => p['remedy']!,
  },
  OA0013: {
    severity: 'info', title: 'access logging off',
    message: () => 'access logging is not enabled for the agent sidecars: kubectl omnia-auth logs will see no request lines',
    remedy: () => ACCESS_LOG_TELEMETRY,
  },
  OA0014: {
    severity: 'info', title: 'v1beta1 in use',
    message: (p) => `uses ${p['apiVersion']}; security.istio.io/v1 is the current version`,
    remedy: () => 'Change apiVersion to security.istio.io/v1 (same spec).',
  },
  OA0015: {
    severity: 'warning', title: 'duplicate issuer',
    message: (p) => `RequestAuthentications ${p['others']} on the same pods share issuer ${JSON.stringify(p['issuer'])}: Envoy gets two providers for one issuer and which rule (audiences, jwksUri) applies is not obvious`,
    remedy: () => 'Keep one jwtRule per issuer for a workload.',
  },
  OA0016: {
    severity: 'info', title: 'no audiences',
    message: (p) => `jwtRule for ${JSON.stringify(p['issuer'])} has no audiences: a token minted for any other API of this provider is accepted`,
    remedy: () => 'Set audiences to the identifier of the agents API (authentication.jwt.audiences).',
  },
  OA0017: {
    severity: 'info', title: 'read forbidden',
    message: (p) => `cannot ${p['verb']} ${p['resource']}${p['namespace'] ? ` in ${p['namespace']}` : ''}: forbidden for this user; the report is partial`,
    remedy: (p) => `Ask for RBAC: kubectl auth can-i ${p['verb']} ${p['resource']}${p['namespace'] ? ` -n ${p['namespace']}` : ' -A'}`,
  },
  OA0018: {
    severity: 'info', title: 'no agent pods',
    message: (p) => `no agent pods found (${p['selector']})${p['scope'] ? ` in ${p['scope']}` : ''}`,
    remedy: () => 'Check the namespace (-n, -A) and the selector (-l); Omnia agents carry omnia.altairalabs.ai/component=agent.',
  },
  OA0099: {
    severity: 'error', title: 'analyzer failed',
    message: (p) => `the ${p['analyzer']} check failed: ${p['error']}`,
    remedy: () => 'This is a bug in kubectl omnia-auth: please report it with the resources involved (secrets removed).',
  },
};

export function finding(code: keyof typeof CATALOGUE | string, subject: ObjectRef, params: P = {}): Finding {
  const e = CATALOGUE[code];
  if (!e) throw new Error(`unknown finding code ${code}`);
  return { code, severity: e.severity, subject, message: e.message(params), remedy: e.remedy(params) };
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortFindings(fs: Finding[]): Finding[] {
  return [...fs].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.code.localeCompare(b.code) ||
    `${a.subject.namespace}/${a.subject.name}`.localeCompare(`${b.subject.namespace}/${b.subject.name}`));
}

export function atOrAbove(f: Finding, threshold: Severity | 'none'): boolean {
  return threshold !== 'none' && ORDER[f.severity] <= ORDER[threshold];
}
