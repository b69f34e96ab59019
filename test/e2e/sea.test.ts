// The self-contained release build (Node's single executable application) and its krew
// manifest: runs with no node on PATH, and the real krew installs it from the manifest.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const c = inject('cluster');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEA = join(ROOT, 'dist-sea', 'kubectl-omnia_auth');
let tmp: string;
let noNode: string;

beforeAll(() => {
  execFileSync('bash', [join(ROOT, 'scripts', 'build-sea.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  tmp = mkdtempSync(join(tmpdir(), 'omnia-auth-sea-'));
  noNode = join(tmp, 'empty-path');
  mkdirSync(noNode);
}, 240_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const offline = ['check-token', '--token-file', join(ROOT, 'examples', 'token.txt'), '--issuer', 'https://idp.example.com/', '--jwks-file', join(ROOT, 'examples', 'jwks.json')];

describe('the single executable', () => {
  it('has no node to lean on: PATH holds nothing', () => {
    expect(spawnSync('node', ['--version'], { env: { PATH: noNode } }).error).toBeTruthy();
  });

  it('runs --help and check-token without node on PATH', () => {
    const env = { PATH: noNode, HOME: tmp, NO_COLOR: '1' };
    const help = spawnSync(SEA, ['--help'], { env, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('check-token');
    const cmdHelp = spawnSync(SEA, ['check-token', '--help'], { env, encoding: 'utf8' });
    expect(cmdHelp.stdout).toContain('$ kubectl omnia-auth check-token [TOKEN]');
    const ok = spawnSync(SEA, [...offline, '--now', '2026-12-03T11:30:00Z', '-o', 'json'], { env, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ allowed: true, jwtStatus: 'OK' });
    const expired = spawnSync(SEA, [...offline, '--now', '2026-12-03T13:30:00Z'], { env, encoding: 'utf8' });
    expect(expired.status).toBe(1);
    expect(expired.stdout.trim().split('\n').at(-1)).toContain('Istio would answer 401 Jwt is expired');
  });

  it('talks to the cluster too (status)', () => {
    const r = spawnSync(SEA, ['status', '-n', 'default', '-o', 'json', '--no-check-jwks', '--fail-on', 'none'], { env: { PATH: noNode, HOME: tmp, KUBECONFIG: c.adminKubeconfig }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('findings');
  });

  it('the real krew installs it from the rendered manifest, and kubectl runs it', () => {
    const krew = readdirSync(dirname(c.binaries.kubectl)).find((f) => f.startsWith('krew-'));
    expect(krew, 'test/cluster/build.sh builds krew into the cache').toBeTruthy();
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(join(dirname(c.binaries.kubectl), krew!), join(bin, 'kubectl-krew'));
    const krewRoot = join(tmp, 'krew');
    const env = { PATH: `${bin}:${join(krewRoot, 'bin')}:${noNode}`, HOME: tmp, KREW_ROOT: krewRoot, KUBECONFIG: c.adminKubeconfig, NO_COLOR: '1' };
    const archive = readdirSync(join(ROOT, 'dist-sea')).find((f) => f.endsWith('.tar.gz'))!;
    const install = spawnSync(c.binaries.kubectl, ['krew', 'install', `--manifest=${join(ROOT, 'dist-sea', 'omnia-auth.yaml')}`, `--archive=${join(ROOT, 'dist-sea', archive)}`], { env, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const list = spawnSync(c.binaries.kubectl, ['plugin', 'list'], { env, encoding: 'utf8' });
    expect(list.stdout).toContain(join(krewRoot, 'bin', 'kubectl-omnia_auth'));
    const run = spawnSync(c.binaries.kubectl, ['omnia-auth', ...offline, '--now', '2026-12-03T11:30:00Z'], { env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Istio would accept this token');
  });
});
