// Getting an issuer's keys from this machine, the one way check-token, status and apply share:
// optional OIDC discovery, then the JWKS from the given jwksUri or the discovered jwks_uri.
import { readFile } from 'node:fs/promises';
import { DEFAULT_FETCH, fetchText, type FetchOptions, type FetchResult } from '../adapters/http/fetch.js';
import { fetchDiscovery, type DiscoveryResult } from '../adapters/http/oidc.js';
import { UsageError } from './errors.js';

export async function fetchOptions(o: { timeoutMs: number; caFile?: string; insecure?: boolean }): Promise<FetchOptions> {
  const opts: FetchOptions = { ...DEFAULT_FETCH, timeoutMs: o.timeoutMs, insecureSkipTlsVerify: Boolean(o.insecure) };
  if (o.caFile) {
    try {
      opts.ca = await readFile(o.caFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read --ca-file ${o.caFile}`);
    }
  }
  return opts;
}

export interface KeyFetch {
  discovery?: DiscoveryResult;
  /** The JWKS URL used: the given one, or the discovered jwks_uri. */
  jwksUri?: string;
  jwks?: FetchResult;
}

export async function fetchKeys(o: { issuer?: string; jwksUri?: string; discover: boolean }, opts: FetchOptions): Promise<KeyFetch> {
  const out: KeyFetch = {};
  if (o.discover && o.issuer !== undefined) out.discovery = await fetchDiscovery(o.issuer, opts);
  const d = out.discovery;
  const discovered = d?.ok && d.document && typeof d.document['jwks_uri'] === 'string' ? d.document['jwks_uri'] : undefined;
  const uri = o.jwksUri ?? discovered;
  if (uri !== undefined) {
    out.jwksUri = uri;
    out.jwks = await fetchText(uri, opts);
  }
  return out;
}
