// Pod log streams and pod watches through the API server, stern-style: one stream per
// container, resumed from the last timestamp after a break without losing or repeating lines,
// new pods picked up from a watch, gone pods dropped, bounded concurrency.
import type { IncomingMessage } from 'node:http';
import { KubeApiError } from './errors.js';
import type { KubeClient } from './client.js';

export interface LogTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface TailOptions {
  follow: boolean;
  sinceSeconds?: number;
  tailLines?: number;
  onLine(t: LogTarget, ts: string | null, text: string): void;
  onStreamError(t: LogTarget, e: Error): void;
}

const key = (t: LogTarget) => `${t.namespace}/${t.pod}/${t.container}`;

/** RFC 3339 with nanoseconds padded, so that two timestamps compare as strings. */
export function normalizeTs(ts: string): string {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}${m[3]}`;
}

class Stream {
  lastTs: string | null = null;
  /** Lines already delivered at lastTs (several lines can share one timestamp). */
  seenAtLast = new Set<string>();
  res: IncomingMessage | undefined;
  stopped = false;
  done: Promise<void>;
  private resolveDone!: () => void;

  constructor(readonly target: LogTarget) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  finish(): void {
    this.resolveDone();
  }
}

export class LogTailer {
  private readonly streams = new Map<string, Stream>();
  private stopping = false;

  constructor(private readonly client: KubeClient, private readonly opts: TailOptions) {}

  get active(): number {
    return this.streams.size;
  }

  has(t: LogTarget): boolean {
    return this.streams.has(key(t));
  }

  /** Start streaming a container; resolves when its stream ends for good. */
  add(t: LogTarget): Promise<void> {
    const existing = this.streams.get(key(t));
    if (existing) return existing.done;
    const s = new Stream(t);
    this.streams.set(key(t), s);
    void this.run(s).finally(() => {
      this.streams.delete(key(t));
      s.finish();
    });
    return s.done;
  }

  remove(t: LogTarget): void {
    const s = this.streams.get(key(t));
    if (!s) return;
    s.stopped = true;
    s.res?.destroy();
  }

  stop(): void {
    this.stopping = true;
    for (const s of this.streams.values()) {
      s.stopped = true;
      s.res?.destroy();
    }
  }

  private async run(s: Stream): Promise<void> {
    let attempt = 0;
    for (;;) {
      if (s.stopped || this.stopping) return;
      const first = s.lastTs === null && attempt === 0;
      const query: Record<string, string | number | boolean | undefined> = { container: s.target.container, timestamps: true, follow: this.opts.follow || undefined };
      if (first) {
        if (this.opts.sinceSeconds !== undefined) query['sinceSeconds'] = this.opts.sinceSeconds;
        if (this.opts.tailLines !== undefined && this.opts.tailLines >= 0) query['tailLines'] = this.opts.tailLines;
      } else if (s.lastTs) {
        // resume: the API's sinceTime has second precision; lines already seen are dropped below
        query['sinceTime'] = s.lastTs.replace(/\.\d+/, '');
      } else if (this.opts.sinceSeconds !== undefined) {
        query['sinceSeconds'] = this.opts.sinceSeconds;
      }
      try {
        const res = await this.client.stream({
          path: `/api/v1/namespaces/${encodeURIComponent(s.target.namespace)}/pods/${encodeURIComponent(s.target.pod)}/log`, query,
          verb: 'get', resource: 'pods/log', namespace: s.target.namespace, timeoutMs: this.opts.follow ? 0 : undefined as never,
        });
        s.res = res;
        attempt = 0;
        await this.consume(s, res);
      } catch (e) {
        if (s.stopped || this.stopping) return;
        const err = e as Error;
        if (err instanceof KubeApiError && (err.failure === 'not-found' || err.failure === 'invalid')) {
          // pod gone or container not running (any more): nothing to resume
          if (!this.opts.follow || err.failure === 'not-found') {
            this.opts.onStreamError(s.target, err);
            return;
          }
        } else if (!this.opts.follow) {
          this.opts.onStreamError(s.target, err);
          return;
        }
      }
      if (!this.opts.follow || s.stopped || this.stopping) return;
      attempt++;
      await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2000)));
    }
  }

  private consume(s: Stream, res: IncomingMessage): Promise<void> {
    return new Promise((resolve) => {
      let buf = '';
      res.setEncoding('utf8');
      const deliver = (line: string) => {
        if (line === '') return;
        const m = /^(\d{4}-\d{2}-\d{2}T\S+) (.*)$/s.exec(line);
        const ts = m ? normalizeTs(m[1]!) : null;
        const text = m ? m[2]! : line;
        if (ts !== null && s.lastTs !== null) {
          if (ts < s.lastTs) return;
          if (ts === s.lastTs) {
            if (s.seenAtLast.has(text)) return;
          }
        }
        if (ts !== null) {
          if (ts !== s.lastTs) {
            s.lastTs = ts;
            s.seenAtLast = new Set();
          }
          s.seenAtLast.add(text);
        }
        this.opts.onLine(s.target, m ? m[1]! : null, text);
      };
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) !== -1) {
          deliver(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      const end = () => {
        if (buf) deliver(buf);
        buf = '';
        resolve();
      };
      res.on('end', end);
      res.on('error', end);
      res.on('close', end);
    });
  }
}

export interface PodEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR' | 'BOOKMARK';
  object: Record<string, any>;
}

/** Watch pods from a resourceVersion; re-lists (calling onRelist) when the watch breaks. */
export async function watchPods(
  client: KubeClient, path: string, labelSelector: string, resourceVersion: string,
  onEvent: (e: PodEvent) => void, signal: { stopped: boolean; res?: IncomingMessage },
  relist: () => Promise<string>,
): Promise<void> {
  let rv = resourceVersion;
  while (!signal.stopped) {
    try {
      const res = await client.stream({ path, query: { labelSelector, watch: true, resourceVersion: rv, allowWatchBookmarks: true }, verb: 'watch', resource: 'pods', timeoutMs: 0 });
      signal.res = res;
      await new Promise<void>((resolve) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n')) !== -1) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            try {
              const ev = JSON.parse(line) as PodEvent;
              if (ev.type === 'ERROR') {
                rv = '';
                res.destroy();
                return;
              }
              if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
              if (ev.type !== 'BOOKMARK') onEvent(ev);
            } catch {
              // a partial or odd line: ignore
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      });
    } catch {
      if (signal.stopped) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (signal.stopped) return;
    if (!rv) {
      try {
        rv = await relist();
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
