// logs, built CLI, through the local control plane and kwok's log serving: real pod log
// streams with follow, a pod added and one deleted during the follow, a stream cut by a node
// agent restart and resumed without loss or duplicates, --since / --tail, redaction.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { appendLog, createAgentPods, freshNamespace, kubectlSync, restartKwok } from '../cluster/harness.ts';
import { envoyNew, textLine } from '../support/access-lines.js';
import { BIN, runCli } from '../support/cli.js';

const c = inject('cluster');
const kubectl = (args: string[]) => kubectlSync(c.binaries.kubectl, c.adminKubeconfig, args);
const denied = (status: string, path: string) => textLine({ code: status === 'Audiences in Jwt are not allowed' ? 403 : 401, details: `jwt_authn_access_denied{${status.replace(/ /g, '_')}}`, path, requestId: path.slice(1) });
const children: Array<ReturnType<typeof spawn>> = [];
afterAll(() => {
  for (const ch of children) ch.kill('SIGKILL');
});

function follow(args: string[]) {
  const ch = spawn(process.execPath, [BIN, 'logs', '-f', '--kubeconfig', c.adminKubeconfig, '-o', 'json', ...args], { env: { ...process.env, NO_COLOR: '1', OMNIA_AUTH_DEBUG: 'http' } });
  children.push(ch);
  let out = '';
  let err = '';
  ch.stdout.on('data', (d) => (out += d));
  ch.stderr.on('data', (d) => (err += d));
  const events = () => out.split('\n').filter((l) => l.startsWith('{"time"')).map((l) => JSON.parse(l));
  const waitFor = async (pred: () => boolean, what: string, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = () => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    ch.once('close', (code) => resolve({ code, out, err }));
    ch.kill('SIGINT');
  });
  return { events, waitFor, stop, stderr: () => err };
}

describe('logs on a real cluster', () => {
  it('follows three pods; picks up a new pod, drops a deleted one; survives a stream cut without loss or duplicates', async () => {
    const ns = freshNamespace(c, 'logs');
    createAgentPods(c, ['a', 'b', 'c'].map((x) => ({ namespace: ns, agent: 'bot', name: `bot-${x}` })));
    appendLog(c, ns, 'bot-a', 'istio-proxy', [denied('Jwt is expired', '/before')]);
    const f = follow(['-n', ns, '--summary']);
    await f.waitFor(() => f.events().some((e) => e.path === '/before'), 'the line written before following');

    appendLog(c, ns, 'bot-b', 'istio-proxy', [denied('Jwt issuer is not configured', '/b1'), textLine({ code: 200, details: 'via_upstream', path: '/fine' })]);
    appendLog(c, ns, 'bot-c', 'istio-proxy', [textLine({ code: 403, details: 'rbac_access_denied_matched_policy[none]', path: '/c1' })]);
    await f.waitFor(() => ['/b1', '/c1'].every((p) => f.events().some((e) => e.path === p)), 'lines appended while following');

    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-d' }]);
    await f.waitFor(() => f.stderr().includes(`+ ${ns}/bot-d`), 'the new pod marker');
    appendLog(c, ns, 'bot-d', 'istio-proxy', [denied('Audiences in Jwt are not allowed', '/d1')]);
    await f.waitFor(() => f.events().some((e) => e.path === '/d1'), 'a line of the new pod');

    kubectl(['-n', ns, 'delete', 'pod', 'bot-c', '--wait=false']);
    await f.waitFor(() => f.stderr().includes(`- ${ns}/bot-c`), 'the deleted pod marker');

    // cut every stream: restart the node agent; lines written during the outage must arrive once
    await restartKwok(c);
    appendLog(c, ns, 'bot-a', 'istio-proxy', [denied('Jwt verification fails', '/after-1'), denied('Jwt verification fails', '/after-2')]);
    await f.waitFor(() => ['/after-1', '/after-2'].every((p) => f.events().some((e) => e.path === p)), 'lines after the stream was resumed', 40_000);
    await new Promise((r) => setTimeout(r, 1500));

    const r = await f.stop();
    expect(r.code).toBe(0);
    // the streams really broke and were resumed from the last timestamp
    expect(r.err).toMatch(new RegExp(`/pods/bot-a/log\\?container=istio-proxy&timestamps=true&follow=true&sinceTime=`));
    const events = f.events();
    const paths = events.map((e) => e.path);
    for (const p of ['/before', '/b1', '/c1', '/d1', '/after-1', '/after-2']) expect(paths.filter((x) => x === p)).toHaveLength(1);
    expect(paths).not.toContain('/fine'); // only auth failures by default
    expect(events.find((e) => e.path === '/b1')).toMatchObject({ namespace: ns, pod: 'bot-b', container: 'istio-proxy', kind: 'jwt', httpStatus: 401, reason: 'Jwt issuer is not configured', requestId: 'b1' });
    expect(events.find((e) => e.path === '/c1')).toMatchObject({ kind: 'rbac', httpStatus: 403, policy: null, rule: null });
    expect(Object.keys(events[0]!)).toEqual(['time', 'namespace', 'pod', 'container', 'kind', 'httpStatus', 'reason', 'policy', 'rule', 'method', 'path', 'authority', 'requestId']);
    const summary = r.out.split('\n').filter((l) => l.startsWith('{"summary"')).map((l) => JSON.parse(l).summary).at(-1);
    expect(summary.total).toBe(6);
    expect(summary.byReason.find((x: any) => x.reason === 'Jwt verification fails').count).toBe(2);
  }, 120_000);

  it('--since and --tail select what the API returns; debug-line tokens are redacted', async () => {
    const ns = freshNamespace(c, 'logs');
    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-0' }]);
    const token = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.${Buffer.from('{"sub":"secret-user"}').toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJl`;
    appendLog(c, ns, 'bot-0', 'istio-proxy', [denied('Jwt is expired', '/old')], new Date(Date.now() - 3 * 3600_000));
    appendLog(c, ns, 'bot-0', 'istio-proxy', [
      denied('Jwt is expired', '/r1'), denied('Jwt is expired', '/r2'), envoyNew('jwt', `origins-0: Parse Jwt ${token}`), denied('Jwt is expired', '/r3'),
    ]);
    const since = await runCli(['logs', '--kubeconfig', c.adminKubeconfig, '-n', ns, '-o', 'json', '--since', '1h']);
    const paths = since.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).path);
    expect(paths).toEqual(['/r1', '/r2', '/r3']);
    const tail = await runCli(['logs', '--kubeconfig', c.adminKubeconfig, '-n', ns, '-o', 'json', '--since', '24h', '--tail', '2']);
    // the last 2 lines are the debug line (not an auth failure) and /r3
    expect(tail.stdout.trim().split('\n').map((l) => JSON.parse(l).path)).toEqual(['/r3']);
    const all = await runCli(['logs', '--kubeconfig', c.adminKubeconfig, '-n', ns, '--all', '--since', '24h']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Parse Jwt');
    expect(all.stdout).not.toContain(token);
    expect(all.stdout).not.toContain(token.split('.')[1]);
    expect(all.stdout).not.toContain(token.split('.')[2]);
  });

  it('human output, stern-like, with the summary and remedies', async () => {
    const ns = freshNamespace(c, 'logs');
    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-0' }]);
    appendLog(c, ns, 'bot-0', 'istio-proxy', [denied('Jwt is expired', '/my-agent/ws')]);
    const r = await runCli(['logs', '--kubeconfig', c.adminKubeconfig, '-n', ns, '--summary']);
    expect(r.stdout.split('\n')[0]).toBe('bot-0  401 Jwt is expired  GET /my-agent/ws');
    expect(r.stdout).toContain('Summary: 1 auth failure in 1 access-log line');
    expect(r.stdout).toContain('→ Get a fresh token');
  });

  it('no access-log lines at all: says access logging looks off, with the Telemetry that turns it on', async () => {
    const ns = freshNamespace(c, 'logs');
    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-0' }]);
    const r = await runCli(['logs', '--kubeconfig', c.adminKubeconfig, '-n', ns]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('access logging is probably off');
    expect(r.stdout).toContain('kind: Telemetry');
  });

  it('--file classifies a saved kubectl logs --prefix --timestamps output', async () => {
    const ns = freshNamespace(c, 'logs');
    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-0' }]);
    appendLog(c, ns, 'bot-0', 'istio-proxy', [denied('Jwt is expired', '/x'), textLine({ code: 200, details: 'via_upstream' })]);
    const saved = kubectl(['-n', ns, 'logs', '-l', 'omnia.altairalabs.ai/component=agent', '-c', 'istio-proxy', '--prefix', '--timestamps']);
    const r = await runCli(['logs', '--file', '-', '-o', 'json'], { input: saved });
    const e = JSON.parse(r.stdout.trim().split('\n')[0]!);
    expect(e).toMatchObject({ pod: 'bot-0', container: 'istio-proxy', kind: 'jwt', path: '/x' });
    expect(e.time).toMatch(/^2\d{3}-/);
  });
});

describe('logs --debug (through pods/exec; Envoy itself is a stand-in, see test/cluster/standins)', () => {
  it('raises jwt and rbac to debug on each sidecar while following, and restores them on Ctrl-C', async () => {
    const { applyManifests, execObjects } = await import('../cluster/harness.ts');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const ns = freshNamespace(c, 'logsdbg');
    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-0' }, { namespace: ns, agent: 'bot', name: 'bot-1' }]);
    const state = (pod: string) => join(c.dir, `levels-${ns}-${pod}`);
    applyManifests(c, execObjects(ns, ['bot-0', 'bot-1'], (pod) => ({ OMNIA_STANDIN_LEVELS: state(pod) })));
    await new Promise((r) => setTimeout(r, 1000)); // kwok picks up the Exec objects
    const f = follow(['-n', ns, '--debug']);
    await f.waitFor(() => (f.stderr().match(/envoy loggers jwt=debug&rbac=debug/g) ?? []).length === 2, 'both sidecars raised to debug', 30_000);
    for (const pod of ['bot-0', 'bot-1']) expect(readFileSync(state(pod), 'utf8')).toMatch(/jwt: debug\nrbac: debug/);
    const r = await f.stop();
    expect(r.code).toBe(0);
    for (const pod of ['bot-0', 'bot-1']) {
      expect(readFileSync(state(pod), 'utf8')).toMatch(/jwt: warning\nrbac: warning/);
      expect(readFileSync(`${state(pod)}.calls`, 'utf8').trim().split('\n').at(-1)).toBe('request POST logging?jwt=warning&rbac=warning');
    }
  }, 90_000);
});
