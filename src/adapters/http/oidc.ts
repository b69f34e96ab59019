// OIDC discovery and JWKS retrieval, the way istiod does it: discovery at
// `<issuer without trailing slash>/.well-known/openid-configuration`, then `jwks_uri`.
import { fetchText, type FetchOptions, type FetchResult } from './fetch.js';

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

export type DiscoveryResult = FetchResult & {
  /** Set when the body is a JSON object. */
  document?: Record<string, unknown>;
  /** Why the body is unusable, when the fetch itself worked. */
  invalid?: string;
};

export async function fetchDiscovery(issuer: string, opts: FetchOptions): Promise<DiscoveryResult> {
  const r = await fetchText(discoveryUrl(issuer), opts);
  if (!r.ok) return r;
  let doc: unknown;
  try {
    doc = JSON.parse(r.body);
  } catch {
    return { ...r, invalid: `not JSON (content-type ${r.contentType || 'none'}, starts with ${JSON.stringify(r.body.slice(0, 40))})` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ...r, invalid: 'not a JSON object' };
  const document = doc as Record<string, unknown>;
  if (typeof document['jwks_uri'] !== 'string') return { ...r, document, invalid: 'no jwks_uri in the discovery document' };
  return { ...r, document };
}

export function fetchJwksText(uri: string, opts: FetchOptions): Promise<FetchResult> {
  return fetchText(uri, opts);
}
