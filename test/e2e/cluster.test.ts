// The local control plane itself: what the other e2e tests rely on, proven on the real stack.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { appendLog, createAgentPods, freshNamespace, kubectlSync, startCluster } from '../cluster/harness.ts';
import { BIN } from '../support/cli.js';

const c = inject('cluster');
const kubectl = (args: string[], input?: string, kubeconfig = c.adminKubeconfig) => kubectlSync(c.binaries.kubectl, kubeconfig, args, input);
const tmp = mkdtempSync(join(tmpdir(), 'omnia-auth-plugin-path-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('local control plane', () => {
  it('kubectl reports the pinned Kubernetes version for client and server', () => {
    const v = JSON.parse(kubectl(['version', '-o', 'json']));
    expect(v.clientVersion.gitVersion).toBe('v1.36.3');
    expect(v.serverVersion.gitVersion).toBe('v1.36.3');
  });

  it('the built kubectl finds the plugin on PATH and runs kubectl omnia-auth --help', () => {
    const bin = join(tmp, 'bin');
    symlinkSync(dirname(BIN), bin);
    const env = { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin` };
    const list = spawnSyncText(c.binaries.kubectl, ['plugin', 'list'], env);
    expect(list).toContain(join(bin, 'kubectl-omnia_auth'));
    const help = spawnSyncText(c.binaries.kubectl, ['omnia-auth', '--help'], env);
    expect(help).toContain('$ kubectl omnia-auth [COMMAND]');
    expect(help).toContain('check-token');
  });

  it('the RequestAuthentication CRD rejects jwksUri ftp://x by its CEL rule', () => {
    const ns = freshNamespace(c);
    const ra = { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'bad', namespace: ns }, spec: { jwtRules: [{ issuer: 'https://idp', jwksUri: 'ftp://x' }] } };
    expect(() => kubectl(['apply', '-f', '-'], JSON.stringify(ra))).toThrow(/url must have scheme http:\/\/ or https:\/\//);
  });

  it('the restricted user gets a real 403 listing AuthorizationPolicies', () => {
    expect(() => kubectl(['get', 'authorizationpolicies.security.istio.io', '-A'], undefined, c.restrictedKubeconfig))
      .toThrow(/Forbidden.*restricted-user.*cannot list resource "authorizationpolicies"/s);
  });

  it('an istio-proxy log is read through the apiserver with --tail and --since, and a follow gets an appended line', async () => {
    const ns = freshNamespace(c);
    const [pod] = createAgentPods(c, [{ namespace: ns, agent: 'alpha', name: 'alpha-0' }]);
    const old = new Date(Date.now() - 2 * 3600_000);
    appendLog(c, ns, pod!, 'istio-proxy', ['old line'], old);
    appendLog(c, ns, pod!, 'istio-proxy', ['recent 1', 'recent 2', 'recent 3']);
    expect(kubectl(['-n', ns, 'logs', pod!, '-c', 'istio-proxy', '--tail=2']).trim().split('\n')).toEqual(['recent 2', 'recent 3']);
    expect(kubectl(['-n', ns, 'logs', pod!, '-c', 'istio-proxy', '--since=1h']).trim().split('\n')).toEqual(['recent 1', 'recent 2', 'recent 3']);

    const follow = spawn(c.binaries.kubectl, ['--kubeconfig', c.adminKubeconfig, '-n', ns, 'logs', '-f', pod!, '-c', 'istio-proxy', '--tail=0']);
    let seen = '';
    follow.stdout.on('data', (d) => (seen += d));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      appendLog(c, ns, pod!, 'istio-proxy', ['appended while following']);
      const deadline = Date.now() + 10_000;
      while (!seen.includes('appended while following') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(seen).toContain('appended while following');
      expect(seen).not.toContain('recent 3');
    } finally {
      follow.kill();
    }
  });

  it('agent pods run on the kwok node, with and without the sidecar', () => {
    const ns = freshNamespace(c);
    createAgentPods(c, [{ namespace: ns, agent: 'beta', name: 'beta-0' }, { namespace: ns, agent: 'beta', name: 'beta-nosidecar', sidecar: false }]);
    const pods = JSON.parse(kubectl(['-n', ns, 'get', 'pods', '-l', 'omnia.altairalabs.ai/component=agent', '-o', 'json'])).items;
    expect(pods.map((p: any) => [p.metadata.name, p.status.phase, p.spec.containers.map((x: any) => x.name).join(',')]).sort()).toEqual([
      ['beta-0', 'Running', 'agent,istio-proxy'],
      ['beta-nosidecar', 'Running', 'agent'],
    ]);
  });
});

describe('harness teardown', () => {
  it('stop() ends exactly the processes it started and removes its directory', async () => {
    const other = await startCluster({ istioCrds: false });
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    expect(other.pids).toHaveLength(3);
    expect(other.pids.every(alive)).toBe(true);
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    expect(other.pids.filter(alive)).toEqual([]);
    expect(existsSync(other.dir)).toBe(false);
    // the shared cluster is untouched
    expect(kubectl(['get', '--raw', '/readyz'])).toBe('ok');
  });
});

function spawnSyncText(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
