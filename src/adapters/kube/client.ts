// A small Kubernetes REST client over node:https: JSON requests with a per-request time
// limit, typed errors (never a raw exception with headers and bodies), streaming for logs
// and watches, and a request trace (OMNIA_AUTH_DEBUG=http) that benchmarks count.
import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { KubeApiError, type KubeApiFailure } from './errors.js';
import type { KubeTarget } from './kubeconfig.js';

export interface RequestSpec {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  /** For error messages: the verb and resource as RBAC names them. */
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  /** 0: no limit (streams). */
  timeoutMs?: number;
}

interface Status {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

export class KubeClient {
  readonly requests: string[] = [];
  private readonly agent: Agent;
  private readonly trace: boolean;

  constructor(readonly target: KubeTarget, readonly timeoutMs: number) {
    this.agent = new Agent({
      keepAlive: true, maxSockets: 16,
      ...(target.ca ? { ca: target.ca } : {}), ...(target.cert ? { cert: target.cert } : {}), ...(target.key ? { key: target.key } : {}),
      rejectUnauthorized: !target.insecureSkipTlsVerify, ...(target.tlsServerName ? { servername: target.tlsServerName } : {}),
    });
    this.trace = /(^|,)http(,|$)/.test(process.env['OMNIA_AUTH_DEBUG'] ?? '');
  }

  close(): void {
    this.agent.destroy();
  }

  url(spec: RequestSpec): URL {
    const u = new URL(this.target.server + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  private open(spec: RequestSpec): Promise<IncomingMessage> {
    const u = this.url(spec);
    const method = spec.method ?? 'GET';
    this.requests.push(`${method} ${u.pathname}${u.search}`);
    const opts: RequestOptions = {
      method, agent: u.protocol === 'https:' ? this.agent : undefined,
      headers: {
        accept: 'application/json', 'user-agent': 'kubectl-omnia-auth', ...this.target.headers,
        ...(spec.body !== undefined ? { 'content-type': spec.contentType ?? 'application/json', 'content-length': Buffer.byteLength(spec.body) } : {}),
      },
    };
    const timeout = spec.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const req = (u.protocol === 'https:' ? request : httpRequest)(u, opts, (res) => {
        if (timer) clearTimeout(timer);
        resolve(res);
      });
      const timer = timeout > 0
        ? setTimeout(() => {
          req.destroy();
          reject(new KubeApiError('timeout', `no answer from ${this.target.server} within ${timeout} ms (${method} ${u.pathname})`, { server: this.target.server }));
        }, timeout)
        : undefined;
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        reject(networkError(e, this.target.server));
      });
      req.end(spec.body);
    });
  }

  /**
   * A JSON request; non-2xx answers become KubeApiError with the server's own message.
   * 429 (the server's "retry later", e.g. while its watch cache initialises) is retried as
   * client-go does, honouring Retry-After, a few times.
   */
  async json<T = unknown>(spec: RequestSpec): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const res = await this.open(spec);
      const body = await readBody(res, spec.timeoutMs ?? this.timeoutMs, this.target.server);
      if (this.trace) process.stderr.write(`[http] ${spec.method ?? 'GET'} ${spec.path} ${res.statusCode} ${Math.round(performance.now() - started)} ms\n`);
      if (res.statusCode === 429 && attempt < 5) {
        const after = Number(res.headers['retry-after']);
        await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 500, 2000)));
        continue;
      }
      return this.decode<T>(res.statusCode ?? 0, body, spec);
    }
  }

  private decode<T>(status: number, body: string, spec: RequestSpec): T {
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new KubeApiError('other', `the server answered ${spec.path} with something that is not JSON`, { status, server: this.target.server });
      }
    }
    throw httpError(status, body, spec, this.target.server);
  }

  /** A streaming GET (logs with follow, watches): the response, or a KubeApiError. */
  async stream(spec: RequestSpec): Promise<IncomingMessage> {
    const res = await this.open({ ...spec, timeoutMs: spec.timeoutMs ?? this.timeoutMs });
    const status = res.statusCode ?? 0;
    if (this.trace) process.stderr.write(`[http] ${spec.method ?? 'GET'} ${this.url(spec).pathname}${this.url(spec).search} ${status} (stream)\n`);
    if (status >= 200 && status < 300) return res;
    const body = await readBody(res, 10_000, this.target.server).catch(() => '');
    throw httpError(status, body, spec, this.target.server);
  }
}

function networkError(e: NodeJS.ErrnoException, server: string): KubeApiError {
  const code = e.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(code)) {
    return new KubeApiError('unreachable', `cannot reach the Kubernetes API at ${server} (${code})`, { server });
  }
  if (/CERT|SSL|TLS|certificate/i.test(code + e.message)) {
    return new KubeApiError('tls', `TLS with ${server} failed: ${e.message}`, { server });
  }
  return new KubeApiError('unreachable', `cannot talk to ${server}: ${e.message}`, { server });
}

function readBody(res: IncomingMessage, timeoutMs: number, server: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = timeoutMs > 0 ? setTimeout(() => {
      res.destroy();
      reject(new KubeApiError('timeout', `the answer from ${server} did not complete within ${timeoutMs} ms`, { server }));
    }, timeoutMs) : undefined;
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      if (timer) clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(networkError(e as NodeJS.ErrnoException, server));
    });
  });
}

function httpError(status: number, body: string, spec: RequestSpec, server: string): KubeApiError {
  let s: Status = {};
  try {
    s = JSON.parse(body) as Status;
  } catch {
    // not a Status
  }
  const failure: KubeApiFailure = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not-found'
    : status === 409 ? 'conflict' : status === 422 || status === 400 ? 'invalid' : status >= 500 ? 'server' : 'other';
  const message = s.message ?? `HTTP ${status} for ${spec.method ?? 'GET'} ${spec.path}`;
  return new KubeApiError(failure, message, {
    status, ...(s.reason ? { reason: s.reason } : {}), ...(spec.verb ? { verb: spec.verb } : {}), ...(spec.resource ? { resource: spec.resource } : {}),
    ...(spec.namespace ? { namespace: spec.namespace } : {}), ...(spec.name ? { name: spec.name } : {}), server, body: s,
  });
}

// ---------- resource paths ----------

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
}

export function collectionPath(t: ResourceType, namespace?: string): string {
  const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${t.plural}` : `${base}/${t.plural}`;
}

export const resourceName = (t: ResourceType) => (t.group ? `${t.plural}.${t.group}` : t.plural);

/** List one kind in one namespace (or all); a 404 on the collection means the API is not served. */
export async function listObjects(client: KubeClient, t: ResourceType, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Promise<Record<string, unknown>[]> {
  const r = await client.json<{ items?: Record<string, unknown>[] }>({
    path: collectionPath(t, opts.namespace), query: { labelSelector: opts.labelSelector || undefined, fieldSelector: opts.fieldSelector },
    verb: 'list', resource: resourceName(t), ...(opts.namespace ? { namespace: opts.namespace } : {}),
  });
  return r.items ?? [];
}
