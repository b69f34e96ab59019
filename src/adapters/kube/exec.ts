// Envoy log levels on running sidecars, through the pods/exec API (client-node's Exec over
// WebSocket, loaded only for --debug): `pilot-agent request POST logging[?jwt=debug&rbac=debug]`
// inside istio-proxy, as reference §5 describes. Failures are reported, never fatal.
import { PassThrough } from 'node:stream';
import type { KubeTarget } from './kubeconfig.js';
import type { LogTarget } from './logs.js';

export type Levels = Record<string, string>;

async function kubeConfigFor(target: KubeTarget) {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const b64 = (v: string | Buffer | undefined) => (v === undefined ? undefined : Buffer.from(v).toString('base64'));
  const token = target.headers['authorization']?.startsWith('Bearer ') ? target.headers['authorization'].slice(7) : undefined;
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: target.server, caData: b64(target.ca), skipTLSVerify: target.insecureSkipTlsVerify }],
    users: [{ name: 'u', certData: b64(target.cert), keyData: b64(target.key), token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function run(target: KubeTarget, t: LogTarget, command: string[], timeoutMs = 15_000): Promise<string> {
  const { Exec } = await import('@kubernetes/client-node');
  const exec = new Exec(await kubeConfigFor(target));
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec in ${t.pod} timed out`)), timeoutMs);
    exec.exec(t.namespace, t.pod, t.container, command, out, err, null, false, (status) => {
      clearTimeout(timer);
      if (status.status === 'Success') resolve(stdout);
      else reject(new Error(`${command.join(' ')} failed in ${t.pod}: ${(stderr || status.message || '').trim()}`));
    }).then((ws) => {
      ws.on('close', () => {
        clearTimeout(timer);
        resolve(stdout);
      });
    }, (e: unknown) => {
      clearTimeout(timer);
      reject(new Error(`exec in ${t.pod}: ${(e as Error).message?.split('\n')[0] ?? e}`));
    });
  });
}

/** Parse Envoy's `/logging` answer ("active loggers:\n  jwt: warning\n ..."). */
export function parseLevels(text: string): Levels {
  const out: Levels = {};
  for (const m of text.matchAll(/^\s*([\w.-]+): (\w+)\s*$/gm)) out[m[1]!] = m[2]!;
  return out;
}

/**
 * Set the given loggers on each sidecar; returns the previous levels of those loggers (for
 * the restore), taken from the first sidecar that answered (warning, the default, otherwise).
 */
export async function setEnvoyLogLevels(target: KubeTarget, pods: LogTarget[], levels: Levels, note: (s: string) => void): Promise<Levels> {
  const previous: Levels = Object.fromEntries(Object.keys(levels).map((k) => [k, 'warning']));
  let read = false;
  const query = Object.entries(levels).map(([k, v]) => `${k}=${v}`).join('&');
  await Promise.all(pods.map(async (p) => {
    try {
      if (!read) {
        const now = parseLevels(await run(target, p, ['pilot-agent', 'request', 'POST', 'logging']));
        for (const k of Object.keys(levels)) if (now[k]) previous[k] = now[k]!;
        read = true;
      }
      await run(target, p, ['pilot-agent', 'request', 'POST', `logging?${query}`]);
      note(`${p.namespace}/${p.pod}: envoy loggers ${query}`);
    } catch (e) {
      note(`${p.namespace}/${p.pod}: cannot set envoy log levels: ${(e as Error).message}`);
    }
  }));
  return previous;
}
