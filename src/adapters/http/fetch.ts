// One bounded HTTP(S) GET: a deadline over the whole exchange (redirects included), a cap on
// the body size, a bounded number of redirects, an optional CA bundle, and typed failures.
// Never throws, never hangs past the deadline.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type FetchFailure =
  | 'invalid-url' | 'timeout' | 'dns' | 'refused' | 'tls' | 'http-status' | 'too-large' | 'redirects' | 'network';

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** PEM bundle trusted in addition to nothing else (like curl --cacert), when given. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
}

export type FetchResult =
  | { ok: true; url: string; finalUrl: string; status: number; contentType: string; body: string; ms: number; redirects: number }
  | { ok: false; url: string; finalUrl: string; failure: FetchFailure; message: string; status?: number; ms: number; redirects: number };

export const DEFAULT_FETCH: FetchOptions = { timeoutMs: 5000, maxBytes: 1 << 20, maxRedirects: 10 };

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);

function classify(err: NodeJS.ErrnoException): { failure: FetchFailure; message: string } {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message: `cannot resolve host (${code})` };
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(err.message)) {
    return { failure: 'tls', message: `TLS: ${err.message}${code ? ` (${code})` : ''}` };
  }
  return { failure: 'network', message: `${err.message}${code ? ` (${code})` : ''}` };
}

export async function fetchText(url: string, opts: FetchOptions): Promise<FetchResult> {
  const started = performance.now();
  const deadline = started + opts.timeoutMs;
  const ms = () => Math.round(performance.now() - started);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    let parsed: URL;
    try {
      parsed = new URL(current);
    } catch {
      return { ok: false, url, finalUrl: current, failure: 'invalid-url', message: `not a URL: ${current}`, ms: ms(), redirects };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return { ok: false, url, finalUrl: current, failure: 'invalid-url', message: `URL scheme must be http or https: ${current}`, ms: ms(), redirects };
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      return { ok: false, url, finalUrl: current, failure: 'timeout', message: `no answer within ${opts.timeoutMs} ms`, ms: ms(), redirects };
    }
    const step = await getOnce(parsed, opts, remaining);
    if (step.kind === 'error') {
      return { ok: false, url, finalUrl: current, failure: step.failure, message: step.message, ...(step.status ? { status: step.status } : {}), ms: ms(), redirects };
    }
    if ([301, 302, 303, 307, 308].includes(step.status) && step.location) {
      if (redirects >= opts.maxRedirects) {
        return { ok: false, url, finalUrl: current, failure: 'redirects', message: `stopped after ${opts.maxRedirects} redirects`, status: step.status, ms: ms(), redirects };
      }
      current = new URL(step.location, parsed).toString();
      continue;
    }
    if (step.status < 200 || step.status > 299) {
      return { ok: false, url, finalUrl: current, failure: 'http-status', message: `HTTP ${step.status}`, status: step.status, ms: ms(), redirects };
    }
    return { ok: true, url, finalUrl: current, status: step.status, contentType: step.contentType, body: step.body, ms: ms(), redirects };
  }
}

type Step =
  | { kind: 'response'; status: number; location?: string; contentType: string; body: string }
  | { kind: 'error'; failure: FetchFailure; message: string; status?: number };

function getOnce(url: URL, opts: FetchOptions, timeoutMs: number): Promise<Step> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (s: Step) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(s);
    };
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      const contentType = String(res.headers['content-type'] ?? '');
      if (status >= 300 && status < 400 && location) {
        res.resume();
        done({ kind: 'response', status, location, contentType, body: '' });
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        done({ kind: 'error', failure: 'too-large', message: `response is ${declared} bytes, over the ${opts.maxBytes}-byte cap`, status });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          done({ kind: 'error', failure: 'too-large', message: `response exceeds the ${opts.maxBytes}-byte cap`, status });
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => done({ kind: 'response', status, contentType, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => done({ kind: 'error', ...classify(e), status }));
    };
    const common = {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'kubectl-omnia-auth' },
    };
    const req = url.protocol === 'https:'
      ? httpsRequest(url, {
        ...common,
        ...(opts.ca ? { ca: opts.ca } : {}),
        rejectUnauthorized: !opts.insecureSkipTlsVerify,
      }, onResponse)
      : httpRequest(url, common, onResponse);
    const timer = setTimeout(() => done({ kind: 'error', failure: 'timeout', message: `no answer within the time limit (${url.host})` }), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'error', ...classify(e) }));
    req.end();
  });
}
