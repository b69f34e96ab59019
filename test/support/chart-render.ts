// The Omnia chart's authentication template, as reference §1 describes it, applied to chart
// values: the expectation apply's output is compared with (written from the reference, not
// from src/). Semantic view only: names, selectors, rules in order, header lists.
export interface ChartValues {
  istio: { enabled: boolean };
  authentication: {
    enabled: boolean;
    jwt: { issuer: string; jwksUri?: string; audiences?: string[]; forwardOriginalToken?: boolean; outputClaimToHeaders?: Array<{ header: string; claim: string }> };
    authorization?: { requiredClaims?: Array<{ claim: string; values: string[] }>; excludePaths?: string[] };
    edgeTrust?: { stripInboundClaimHeaders?: boolean; additionalStripHeaders?: string[] };
  };
}

export interface Semantic {
  name: string;
  kind: string;
  selector: Record<string, string>;
  body: unknown;
}

const AGENT = { 'omnia.altairalabs.ai/component': 'agent' };

export function renderChart(release: string, v: ChartValues): Semantic[] {
  if (!v.authentication.enabled || !v.istio.enabled) return [];
  const jwt = v.authentication.jwt;
  const exclude = v.authentication.authorization?.excludePaths ?? ['/healthz', '/readyz'];
  const claims = v.authentication.authorization?.requiredClaims ?? [];
  const out: Semantic[] = [
    {
      name: `${release}-agent-jwt`, kind: 'RequestAuthentication', selector: AGENT,
      body: {
        issuer: jwt.issuer, jwksUri: jwt.jwksUri || `${jwt.issuer}/.well-known/jwks.json`, audiences: jwt.audiences?.length ? jwt.audiences : undefined,
        forwardOriginalToken: jwt.forwardOriginalToken ?? true, outputClaimToHeaders: jwt.outputClaimToHeaders?.length ? jwt.outputClaimToHeaders : undefined,
      },
    },
    {
      name: `${release}-agent-require-jwt`, kind: 'AuthorizationPolicy:ALLOW', selector: AGENT,
      body: [
        ...(exclude.length ? [{ paths: exclude }] : []),
        { requestPrincipals: ['*'], when: claims.map((c) => [`request.auth.claims[${c.claim}]`, c.values]) },
      ],
    },
    { name: `${release}-agent-deny-unauthenticated`, kind: 'AuthorizationPolicy:DENY', selector: AGENT, body: [{ notRequestPrincipals: ['*'], notPaths: exclude.length ? exclude : ['/healthz', '/readyz'] }] },
  ];
  if (v.authentication.edgeTrust?.stripInboundClaimHeaders ?? true) {
    const headers = [...new Set(['x-user-id', 'x-user-roles', 'x-user-email', ...(jwt.outputClaimToHeaders ?? []).map((h) => h.header), ...(v.authentication.edgeTrust?.additionalStripHeaders ?? [])].map((h) => h.toLowerCase()))].sort();
    out.push({ name: `${release}-agent-strip-edge-trust-headers`, kind: 'EnvoyFilter', selector: AGENT, body: { context: 'SIDECAR_INBOUND', before: 'envoy.filters.http.jwt_authn', headers } });
  }
  return out;
}

/** The same semantic view of generated objects. */
export function semanticOf(objects: any[]): Semantic[] {
  return objects.map((o) => {
    if (o.kind === 'RequestAuthentication') {
      const r = o.spec.jwtRules[0];
      return { name: o.metadata.name, kind: o.kind, selector: o.spec.selector.matchLabels, body: { issuer: r.issuer, jwksUri: r.jwksUri, audiences: r.audiences, forwardOriginalToken: r.forwardOriginalToken, outputClaimToHeaders: r.outputClaimToHeaders } };
    }
    if (o.kind === 'AuthorizationPolicy') {
      return {
        name: o.metadata.name, kind: `AuthorizationPolicy:${o.spec.action}`, selector: o.spec.selector.matchLabels,
        body: o.spec.rules.map((r: any) => {
          const x: Record<string, unknown> = {};
          if (r.to?.[0]?.operation?.paths) x['paths'] = r.to[0].operation.paths;
          if (r.to?.[0]?.operation?.notPaths) x['notPaths'] = r.to[0].operation.notPaths;
          if (r.from?.[0]?.source?.requestPrincipals) x['requestPrincipals'] = r.from[0].source.requestPrincipals;
          if (r.from?.[0]?.source?.notRequestPrincipals) x['notRequestPrincipals'] = r.from[0].source.notRequestPrincipals;
          if (r.from?.[0]?.source?.requestPrincipals) x['when'] = (r.when ?? []).map((w: any) => [w.key, w.values]);
          return o.spec.action === 'DENY' ? { notRequestPrincipals: x['notRequestPrincipals'], notPaths: x['notPaths'] } : x;
        }),
      };
    }
    const p = o.spec.configPatches[0];
    const code: string = p.patch.value.typed_config.inlineCode;
    return {
      name: o.metadata.name, kind: o.kind, selector: o.spec.workloadSelector.labels,
      body: { context: p.match.context, before: p.patch.operation === 'INSERT_BEFORE' ? p.match.listener.filterChain.filter.subFilter.name : null, headers: [...code.matchAll(/remove\("([^"]+)"\)/g)].map((m) => m[1]) },
    };
  });
}
