import { Flags } from '@oclif/core';
import type { LogEvent, Summary } from '../core/access-log/classify.js';
import { AGENT_INSTANCE_LABEL, AGENT_LABEL, AGENT_LABEL_VALUE, SIDECAR_CONTAINER } from '../core/istio/model.js';
import { BaseCommand, commonFlags, kubeFlags, outputFlag } from '../lib/base.js';
import { UsageError } from '../lib/errors.js';
import type { Style } from '../render/style.js';

export default class Logs extends BaseCommand {
  static override summary = "The sidecars' auth failures across agent pods, live, classified and summarised.";

  static override description = `Tails the istio-proxy container of every agent pod (stern-style: new pods are picked up,
gone pods dropped, a broken stream resumed from its last timestamp without losing or
repeating lines) and explains each auth failure: the exact jwt_authn status behind
jwt_authn_access_denied{...}, the namespace, policy and rule behind
rbac_access_denied_matched_policy[...], a 401/403 from the agent itself (via_upstream),
and istiod's JWKS fetch failures (--istiod). Tokens, Authorization and Cookie values are
masked in every output. Reads a saved log with --file.`;

  static override examples = [
    { description: 'Auth failures of the last hour, with what to do about each reason:', command: 'kubectl omnia-auth logs -n agents --summary' },
    { description: 'Follow one agent, istiod too:', command: 'kubectl omnia-auth logs -f --agent support-bot --istiod' },
    { description: 'NDJSON for a pipeline:', command: 'kubectl omnia-auth logs -A --since 24h -o json' },
    { description: 'A saved log, or a pipe:', command: 'kubectl logs deploy/support-bot -c istio-proxy > proxy.log && kubectl omnia-auth logs --file proxy.log --summary' },
  ];

  static override flags = {
    'all-namespaces': Flags.boolean({ char: 'A', description: 'Every namespace.' }),
    selector: Flags.string({ char: 'l', description: `Label selector for agent pods (default ${AGENT_LABEL}=${AGENT_LABEL_VALUE}).` }),
    agent: Flags.string({ description: `One agent: pods with ${AGENT_INSTANCE_LABEL}=NAME.` }),
    container: Flags.string({ char: 'c', description: 'Container to read.', default: SIDECAR_CONTAINER }),
    istiod: Flags.boolean({ description: 'Also tail istiod (istio-system, app=istiod) for JWKS fetch failures.' }),
    follow: Flags.boolean({ char: 'f', description: 'Keep streaming; Ctrl-C prints the summary and exits.' }),
    since: Flags.string({ description: 'Only lines newer than this (e.g. 10m, 2h).', default: '1h' }),
    tail: Flags.integer({ description: 'Lines from the end of each log (-1: all within --since).', default: -1 }),
    timestamps: Flags.boolean({ description: 'Show each line\'s timestamp.' }),
    'max-log-requests': Flags.integer({ description: 'Most log streams at once.', default: 50 }),
    all: Flags.boolean({ description: 'Show every line, not only auth failures.' }),
    summary: Flags.boolean({ description: 'Counts by reason (with remedies), by pod and by path, at the end.' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print only the summary, not each line (implies --summary).' }),
    'summary-interval': Flags.string({ description: 'With --follow and --summary: also print the summary this often.', default: '60s' }),
    file: Flags.string({ description: 'Classify a saved log (kubectl logs output, --prefix and --timestamps allowed) or - for stdin.' }),
    debug: Flags.boolean({ description: 'Raise the sidecars\' jwt and rbac loggers to debug while tailing, then restore them.' }),
    output: outputFlag(['table', 'json']),
    ...commonFlags,
    ...kubeFlags,
  };

  private style_!: Style;
  private wantTs = false;
  private showAll = false;
  private jsonOut = false;
  private quiet = false;
  private outBuf: string[] = [];

  async run(): Promise<void> {
    const { flags } = await this.parse(Logs);
    this.jsonOut = this.resolveOutput(flags) === 'json';
    this.style_ = this.style(flags);
    this.wantTs = flags.timestamps;
    this.showAll = flags.all;
    this.quiet = flags.quiet;
    if (flags.quiet) flags.summary = true;
    const { Summarizer, classify } = await import('../core/access-log/classify.js');
    const { parseLine, splitKubeTimestamp, splitPodPrefix } = await import('../core/access-log/parse.js');
    const summarizer = new Summarizer();
    const handle = (src: { namespace: string | null; pod: string | null; container: string | null }, ts: string | null, text: string) => {
      const rec = parseLine(text);
      const e = classify(rec, { ...src, ts });
      if (!e) return;
      summarizer.add(e, rec.type === 'access');
      if (e.kind !== 'other' || this.showAll) this.emit(e);
    };

    if (flags.file !== undefined) {
      if (flags.follow) throw new UsageError('--file reads a saved log: --follow does not apply');
      const { createReadStream } = await import('node:fs');
      const { LineScanner, quickAccess } = await import('../core/access-log/scan.js');
      const { classifyDetails, redactSecrets } = await import('../core/access-log/classify.js');
      const input = flags.file === '-' ? process.stdin : createReadStream(flags.file, { highWaterMark: 256 << 10 });
      const scanner = new LineScanner((line, accessLine) => {
        if (line === null) {
          // cannot be an auth failure: only counted when it is an access line
          if (accessLine) summarizer.countAccessLine();
          return;
        }
        const p = splitPodPrefix(line);
        const t = splitKubeTimestamp(p.text);
        if (this.quiet) {
          // summary only: three fields and a memoised classification, no record, no event
          const a = quickAccess(t.text);
          if (a) {
            const c = classifyDetails(a.code, a.details);
            if (c.kind === 'other') summarizer.countAccessLine();
            else summarizer.addFields(c.kind, c.reason, c.policy, p.pod ?? '(unknown)', redactSecrets(a.path));
            return;
          }
        }
        handle({ namespace: null, pod: p.pod, container: p.container }, t.ts, t.text);
      }, this.showAll);
      try {
        for await (const chunk of input) {
          scanner.feed(chunk as Buffer);
          // backpressure: a slow reader of our output must not make us buffer the whole log
          if (this.flush() === false) await new Promise((r) => process.stdout.once('drain', r));
        }
        scanner.end();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file: ${flags.file}`);
        throw e;
      }
      this.flush();
      if (flags.summary || summarizer.total === 0) this.printSummary(summarizer.summary(), flags.summary);
      return;
    }

    // Ctrl-C at any point from here (even while --debug is setting levels) ends cleanly
    let interrupted = false;
    let onInterrupt: (() => void) | undefined;
    const interrupt = () => {
      interrupted = true;
      onInterrupt?.();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const sinceSeconds = Math.round(this.durationMs('since', flags.since) / 1000);
    const { LogTailer, watchPods } = await import('../adapters/kube/logs.js');
    const { target, client } = await this.kube(flags);
    const namespace = flags['all-namespaces'] ? undefined : flags.namespace ?? target.namespace ?? 'omnia-system';
    const selector = [flags.selector ?? `${AGENT_LABEL}=${AGENT_LABEL_VALUE}`, ...(flags.agent ? [`${AGENT_INSTANCE_LABEL}=${flags.agent}`] : [])].join(',');
    const note = (msg: string) => process.stderr.write(`${this.stderrStyle(flags).dim(msg)}\n`);

    const tailer = new LogTailer(client, {
      follow: flags.follow, sinceSeconds, ...(flags.tail >= 0 ? { tailLines: flags.tail } : {}),
      onLine: (t, ts, text) => {
        handle(t, ts, text);
        if (!flags.follow && this.outBuf.length < 512) return;
        this.flush();
      },
      onStreamError: (t, e) => {
        if (!flags.follow) note(`${t.namespace}/${t.pod}: ${e.message}`);
      },
    });

    type PodObj = { metadata: { name: string; namespace: string; resourceVersion?: string; deletionTimestamp?: string }; spec?: { containers?: Array<{ name: string }> }; status?: { phase?: string } };
    const groups = [{ path: namespace ? `/api/v1/namespaces/${namespace}/pods` : '/api/v1/pods', selector, container: flags.container }];
    if (flags.istiod) groups.push({ path: '/api/v1/namespaces/istio-system/pods', selector: 'app=istiod', container: 'discovery' });
    const running = (p: PodObj) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp;
    const targetOf = (p: PodObj, container: string) => ({ namespace: p.metadata.namespace, pod: p.metadata.name, container });

    const initial: Array<{ pod: PodObj; container: string }> = [];
    const listRv: string[] = [];
    for (const g of groups) {
      const r = await client.json<{ metadata: { resourceVersion: string }; items: PodObj[] }>({ path: g.path, query: { labelSelector: g.selector }, verb: 'list', resource: 'pods', ...(namespace ? { namespace } : {}) });
      listRv.push(r.metadata.resourceVersion);
      for (const p of r.items) {
        if (!running(p)) continue;
        if (!(p.spec?.containers ?? []).some((c) => c.name === g.container)) {
          note(`${p.metadata.namespace}/${p.metadata.name} has no ${g.container} container (no sidecar?): skipped`);
          continue;
        }
        initial.push({ pod: p, container: g.container });
      }
    }
    if (initial.length === 0 && !flags.follow) note(`no running pod matches ${selector}${namespace ? ` in ${namespace}` : ''}`);
    if (flags.follow && initial.length > flags['max-log-requests']) {
      throw new UsageError(`following ${initial.length} streams, but --max-log-requests is ${flags['max-log-requests']}`, ['Narrow the selection (-n, --agent, -l) or raise --max-log-requests.']);
    }

    let restore: (() => Promise<void>) | undefined;
    if (flags.debug) {
      const { setEnvoyLogLevels } = await import('../adapters/kube/exec.js');
      const sidecars = initial.filter((x) => x.container === SIDECAR_CONTAINER).map((x) => targetOf(x.pod, x.container));
      const previous = await setEnvoyLogLevels(target, sidecars, { jwt: 'debug', rbac: 'debug' }, note);
      restore = async () => {
        await setEnvoyLogLevels(target, sidecars, previous, note);
      };
    }

    const finish = async () => {
      tailer.stop();
      watchSignal.stopped = true;
      watchSignal.res?.destroy();
      this.flush();
      if (restore) await restore();
      if (flags.summary || summarizer.total === 0) this.printSummary(summarizer.summary(), flags.summary);
      client.close();
    };
    const watchSignal: { stopped: boolean; res?: import('node:http').IncomingMessage } = { stopped: false };

    if (!flags.follow) {
      onInterrupt = () => tailer.stop();
      if (interrupted) tailer.stop();
      // bounded concurrency: at most --max-log-requests streams at once
      const queue = [...initial];
      const workers = Array.from({ length: Math.max(1, Math.min(flags['max-log-requests'], queue.length)) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await tailer.add(targetOf(next.pod, next.container));
      });
      try {
        await Promise.all(workers);
      } finally {
        await finish();
      }
      return;
    }

    for (const x of initial) void tailer.add(targetOf(x.pod, x.container));
    const interval = flags.summary ? setInterval(() => this.printSummary(summarizer.summary(), true), this.durationMs('summary-interval', flags['summary-interval'])) : undefined;
    await new Promise<void>((resolve) => {
      let ending = false;
      const end = () => {
        if (ending) return;
        ending = true;
        if (interval) clearInterval(interval);
        void finish().then(resolve);
      };
      onInterrupt = end;
      if (interrupted) end();
      groups.forEach((g, i) => {
        void watchPods(client, g.path, g.selector, listRv[i]!, (ev) => {
          const p = ev.object as PodObj;
          const t = targetOf(p, g.container);
          if (ev.type === 'DELETED' || (ev.type === 'MODIFIED' && p.metadata.deletionTimestamp)) {
            if (tailer.has(t)) {
              tailer.remove(t);
              this.marker('-', t);
            }
          } else if (running(p) && !tailer.has(t) && (p.spec?.containers ?? []).some((c) => c.name === g.container)) {
            if (tailer.active >= flags['max-log-requests']) {
              note(`not following ${t.namespace}/${t.pod}: --max-log-requests ${flags['max-log-requests']} reached`);
              return;
            }
            this.marker('+', t);
            // a new pod: from its beginning (within --since)
            void tailer.add(t);
          }
        }, watchSignal, async () => {
          const r = await client.json<{ metadata: { resourceVersion: string } }>({ path: g.path, query: { labelSelector: g.selector, limit: 1 } });
          return r.metadata.resourceVersion;
        });
      });
    });
  }

  private marker(sign: '+' | '-', t: { namespace: string; pod: string }): void {
    const line = `${sign} ${t.namespace}/${t.pod}`;
    if (this.jsonOut) process.stderr.write(`${line}\n`);
    else {
      this.flush();
      this.print(sign === '+' ? this.style_.ok(line) : this.style_.fail(line));
    }
  }

  private emit(e: LogEvent): void {
    if (this.quiet) return;
    if (this.jsonOut) {
      // the NDJSON contract, field by field (faster than JSON.stringify of an object)
      const j = (v: string | null) => (v === null ? 'null' : /["\\\u0000-\u001f\u2028\u2029]/.test(v) ? JSON.stringify(v) : `"${v}"`);
      this.outBuf.push(`{"time":${j(e.time)},"namespace":${j(e.namespace)},"pod":${j(e.pod)},"container":${j(e.container)},"kind":"${e.kind}","httpStatus":${e.httpStatus},"reason":${j(e.reason)},"policy":${j(e.policy)},"rule":${e.rule},"method":${j(e.method)},"path":${j(e.path)},"authority":${j(e.authority)},"requestId":${j(e.requestId)}}`);
      return;
    }
    const s = this.style_;
    const color = e.kind === 'jwt' ? s.fail : e.kind === 'rbac' ? s.warn : e.kind === 'jwks' ? s.fail : e.kind === 'upstream' ? s.info : s.dim;
    const parts = [
      s.bold(e.pod ? `${e.pod}` : '-'),
      ...(this.wantTs && e.time ? [s.dim(e.time)] : []),
      color(`${e.httpStatus ?? ''} ${e.reason}`.trim()),
      ...(e.policy ? [`${e.policy}${e.rule !== null ? ` rule ${e.rule}` : ''}`] : []),
      ...(e.method || e.path ? [`${e.method ?? ''} ${e.path ?? ''}`.trim()] : []),
    ];
    this.outBuf.push(parts.join('  '));
  }

  /** Write what is buffered; false when stdout asks us to wait for 'drain'. */
  private flush(): boolean {
    if (!this.outBuf.length) return true;
    const ok = process.stdout.write(`${this.outBuf.join('\n')}\n`);
    this.outBuf = [];
    return ok;
  }

  private printSummary(sum: Summary, full: boolean): void {
    this.flush();
    if (this.jsonOut) {
      if (full) this.print(JSON.stringify({ summary: sum }));
      else if (sum.accessLoggingHint) process.stderr.write(`${sum.accessLoggingHint}\n`);
      return;
    }
    const s = this.style_;
    const out: string[] = [];
    if (full) {
      out.push('', s.bold(`Summary: ${sum.total} auth failure${sum.total === 1 ? '' : 's'} in ${sum.accessLines} access-log line${sum.accessLines === 1 ? '' : 's'}`));
      for (const r of sum.byReason) {
        out.push(`  ${String(r.count).padStart(6)}  ${r.kind.padEnd(8)} ${r.reason}${r.policy ? ` (${r.policy})` : ''}`);
        if (r.remedy) out.push(s.dim(`          → ${r.remedy}`));
      }
      if (sum.byPod.length) out.push(s.bold('  by pod:'), ...sum.byPod.slice(0, 10).map((p) => `  ${String(p.count).padStart(6)}  ${p.pod}`));
      if (sum.byPath.length) out.push(s.bold('  by path:'), ...sum.byPath.slice(0, 10).map((p) => `  ${String(p.count).padStart(6)}  ${p.path}`));
    } else if (sum.total === 0) {
      out.push(s.dim('no auth failures found'));
    }
    if (sum.accessLoggingHint) out.push(s.warn(sum.accessLoggingHint));
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
