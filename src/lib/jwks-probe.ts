// Discovery and JWKS reachability per issuer, from this machine, for status and apply:
// the same HTTP adapter and JWKS rules as check-token.
import { DEFAULT_FETCH, type FetchOptions } from '../adapters/http/fetch.js';
import { fetchKeys } from './keys.js';
import type { JwksProbe } from '../core/istio/analyze.js';
import { parseJwks, usableKeys } from '../core/jwt/jwks.js';
import { fetchFailureRemedy } from '../core/jwt/report.js';

export interface IssuerUse {
  issuer: string;
  jwksUri?: string;
  jwks?: string;
  usedBy: Array<{ namespace: string; name: string }>;
}

export async function probeIssuer(u: IssuerUse, opts: FetchOptions = DEFAULT_FETCH): Promise<JwksProbe> {
  const probe: JwksProbe = { issuer: u.issuer, usedBy: u.usedBy, ...(u.jwksUri ? { configuredJwksUri: u.jwksUri } : {}) };
  // inline keys need no fetch; discovery still tells whether the issuer is the provider's
  const k = await fetchKeys({ issuer: u.issuer, discover: true, ...(u.jwks === undefined && u.jwksUri ? { jwksUri: u.jwksUri } : {}) }, opts);
  const d = k.discovery!;
  if (!d.ok) probe.discovery = { ok: false, url: d.url, problem: d.message };
  else if (d.invalid && !d.document) probe.discovery = { ok: false, url: d.url, problem: d.invalid };
  else {
    const doc = d.document!;
    probe.discovery = {
      ok: true, url: d.url,
      ...(typeof doc['issuer'] === 'string' ? { issuer: doc['issuer'] } : {}),
      ...(typeof doc['jwks_uri'] === 'string' ? { jwksUri: doc['jwks_uri'] } : {}),
    };
  }
  const judge = (uri: string, text: string) => {
    const parsed = parseJwks(text);
    const keys = usableKeys(parsed).length;
    probe.jwks = keys > 0
      ? { ok: true, uri, keys }
      : { ok: false, uri, keys: 0, problem: parsed.error ? `not a JWKS (${parsed.error})` : `no usable key${parsed.rejected.length ? `: ${parsed.rejected.map((r) => r.problem).join('; ')}` : ''}` };
  };
  if (u.jwks !== undefined) {
    judge('inline jwks', u.jwks);
    return probe;
  }
  const f = k.jwks;
  const uri = k.jwksUri;
  if (!f || !uri) return probe;
  if (!f.ok) probe.jwks = { ok: false, uri, keys: 0, problem: f.message, remedy: fetchFailureRemedy({ ok: false, url: uri, ms: f.ms, failure: f.failure, ...(f.status ? { status: f.status } : {}) }, 'JWKS', opts.timeoutMs) };
  else judge(uri, f.body);
  return probe;
}

export function issuerUses(ras: ReadonlyArray<{ namespace: string; name: string; jwtRules: ReadonlyArray<{ issuer: string; jwksUri?: string; jwks?: string }> }>): IssuerUse[] {
  const m = new Map<string, IssuerUse>();
  for (const ra of ras) {
    for (const r of ra.jwtRules) {
      const key = `${r.issuer}\u0000${r.jwksUri ?? ''}\u0000${r.jwks ?? ''}`;
      const e = m.get(key) ?? { issuer: r.issuer, ...(r.jwksUri ? { jwksUri: r.jwksUri } : {}), ...(r.jwks !== undefined ? { jwks: r.jwks } : {}), usedBy: [] };
      e.usedBy.push({ namespace: ra.namespace, name: ra.name });
      m.set(key, e);
    }
  }
  return [...m.values()];
}
