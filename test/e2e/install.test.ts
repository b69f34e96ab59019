// Installed like a kubectl plugin: npm pack, npm install -g from the tarball into a temporary
// prefix, then the built kubectl finds and runs it, and its completion executable answers.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAgentPods, freshNamespace } from '../cluster/harness.ts';

const c = inject('cluster');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let prefix: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  prefix = mkdtempSync(join(tmpdir(), 'omnia-auth-prefix-'));
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', prefix], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', join(prefix, packed)], { cwd: prefix, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // only the installed plugin, Node (>= 22.19) and the system on PATH
  env = { ...process.env, PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, KUBECONFIG: c.adminKubeconfig, NO_COLOR: '1' };
}, 300_000);
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { env, encoding: 'utf8' });

describe('installed with npm install -g from the packed tarball', () => {
  it('installs both executables', () => {
    expect(existsSync(join(prefix, 'bin', 'kubectl-omnia_auth'))).toBe(true);
    expect(existsSync(join(prefix, 'bin', 'kubectl_complete-omnia_auth'))).toBe(true);
  });

  it('kubectl plugin list shows it, and kubectl omnia-auth status runs with the user\'s kubeconfig and context', () => {
    const list = run(c.binaries.kubectl, ['plugin', 'list']);
    expect(list.stdout).toContain(join(prefix, 'bin', 'kubectl-omnia_auth'));
    const ns = freshNamespace(c, 'install');
    createAgentPods(c, [{ namespace: ns, agent: 'bot', name: 'bot-0', sidecar: false }]);
    const r = run(c.binaries.kubectl, ['omnia-auth', 'status', '-n', ns, '--context', 'omnia-admin', '-o', 'json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: any) => f.code)).toContain('OA0002');
  });

  it('the completion executable answers for subcommands, flags and a namespace', () => {
    const sub = run('kubectl_complete-omnia_auth', ['ch']);
    expect(sub.stdout).toBe('check-token\n:4\n');
    const flags = run('kubectl_complete-omnia_auth', ['status', '--fail']);
    expect(flags.stdout).toBe('--fail-on\n:4\n');
    const ns = freshNamespace(c, 'compl');
    const nss = run('kubectl_complete-omnia_auth', ['status', '-n', ns.slice(0, 12)]);
    expect(nss.stdout.split('\n')).toContain(ns);
    expect(nss.stdout.trim().split('\n').at(-1)).toBe(':4');
  });

  it('kubectl itself completes through it (kubectl __complete omnia-auth ...)', () => {
    const r = run(c.binaries.kubectl, ['__complete', 'omnia-auth', 'sta']);
    expect(r.stdout).toContain('status');
  });
});
