// logs benchmarks, side by side in one run each (hyperfine):
//  1. classify a 1,000,000-line istio-proxy access log with --file, against grep -c on the
//     same file (goal: at most 8x grep's time; peak RSS under 150 MB, from /usr/bin/time);
//  2. through the local control plane, logs --since 24h -o json over 20 pods, against
//     kubectl logs -l ... --prefix --since=24h --max-log-requests=20 | grep -E ... (goal: 1.5x).
//   npm run build && node bench/logs.ts [file|cluster|all]
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { textLine } from '../test/support/access-lines.ts';

const which = process.argv[2] ?? 'all';
const out = process.env['BENCH_OUT'] ?? 'bench/results';
mkdirSync(out, { recursive: true });
const bin = join(process.cwd(), 'bin/run.js');
const node = process.execPath;
const STATUSES = ['Jwt is expired', 'Jwt issuer is not configured', 'Audiences in Jwt are not allowed', "Jwks doesn't have key to match kid or alg from Jwt", 'Jwt verification fails'];

function line(i: number): string {
  const r = i % 10;
  const time = new Date(Date.UTC(2026, 11, 3, 10, 0, 0) + i * 10).toISOString();
  if (r < 7) return textLine({ code: 200, details: 'via_upstream', path: `/agent-${i % 20}/ws`, requestId: `r${i}`, time });
  if (r < 9) {
    const s = STATUSES[Math.floor(i / 10) % STATUSES.length]!;
    return textLine({ code: s.startsWith('Audiences') ? 403 : 401, details: `jwt_authn_access_denied{${s.replace(/ /g, '_')}}`, path: `/agent-${i % 20}/ws`, requestId: `r${i}`, time });
  }
  return textLine({ code: 403, details: i % 20 === 9 ? 'rbac_access_denied_matched_policy[none]' : 'rbac_access_denied_matched_policy[ns[omnia-system]-policy[omnia-agent-deny-unauthenticated]-rule[0]]', path: `/agent-${i % 20}/ws`, requestId: `r${i}`, time });
}

async function writeFile(path: string, n: number): Promise<void> {
  if (existsSync(path)) return;
  const ws = createWriteStream(path);
  for (let i = 0; i < n; i += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, n - i) }, (_, k) => line(i + k)).join('\n') + '\n';
    if (!ws.write(chunk)) await new Promise((r) => ws.once('drain', r));
  }
  await new Promise((r) => ws.end(r));
}

const GREP = 'jwt_authn_access_denied|rbac_access_denied';

if (which === 'file' || which === 'all') {
  const file = join(out, 'access-1m.log');
  await writeFile(file, 1_000_000);
  console.log(`file: ${file}, ${(statSync(file).size / 1e6).toFixed(0)} MB, 1,000,000 lines`);
  execFileSync('hyperfine', [
    '--warmup', '1', '--runs', process.env['RUNS'] ?? '5', '-N', '--output=pipe', '--export-json', join(out, 'logs-file.json'), '--export-markdown', join(out, 'logs-file.md'),
    '-n', 'grep -c -E', `grep -c -E ${GREP} ${file}`,
    '-n', 'logs --file -q -o json (summary only)', `${node} ${bin} logs --file ${file} -q -o json`,
    '-n', 'logs --file -o json (all events printed)', `${node} ${bin} logs --file ${file} -o json`,
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  const res = JSON.parse(readFileSync(join(out, 'logs-file.json'), 'utf8')).results as Array<{ command: string; median: number }>;
  for (const r of res.slice(1)) console.log(`${r.command}: ${(r.median / res[0]!.median).toFixed(1)}x grep`);
  for (const args of [['-q'], []]) {
    const t = spawnSync('bash', ['-c', `/usr/bin/time -f %M ${node} ${bin} logs --file ${file} -o json ${args.join(' ')} | cat > /dev/null`], { encoding: 'utf8' });
    const kb = Number(t.stderr.trim().split('\n').at(-1));
    console.log(`peak RSS logs --file ${args.join(' ') || '(all events)'}: ${(kb / 1024).toFixed(0)} MiB`);
  }
}

if (which === 'cluster' || which === 'all') {
  const { appendLog, createAgentPods, freshNamespace, startCluster } = await import('../test/cluster/harness.ts');
  const c = await startCluster();
  try {
    const ns = freshNamespace(c, 'bench-logs');
    const pods = createAgentPods(c, Array.from({ length: 20 }, (_, i) => ({ namespace: ns, agent: `agent-${i}`, name: `agent-${i}` })));
    const now = Date.now();
    for (const [k, p] of pods.entries()) {
      const lines = Array.from({ length: 5000 }, (_, i) => line(k * 5000 + i));
      appendLog(c, ns, p, 'istio-proxy', lines, new Date(now - 3600_000));
    }
    console.log(`cluster: 20 pods x 5,000 lines in ${ns}`);
    const kc = `--kubeconfig ${c.adminKubeconfig}`;
    execFileSync('hyperfine', [
      '--warmup', '1', '--runs', process.env['RUNS'] ?? '10', '--output=pipe', '--export-json', join(out, 'logs-cluster.json'), '--export-markdown', join(out, 'logs-cluster.md'),
      '-n', 'kubectl logs --prefix | grep -E', `${c.binaries.kubectl} ${kc} -n ${ns} logs -l omnia.altairalabs.ai/component=agent -c istio-proxy --prefix --since=24h --max-log-requests=20 | grep -E '${GREP}'`,
      '-n', 'logs --since 24h -o json', `${node} ${bin} logs ${kc} -n ${ns} --since 24h -o json`,
    ], { stdio: ['ignore', 'inherit', 'inherit'] });
    const res = JSON.parse(readFileSync(join(out, 'logs-cluster.json'), 'utf8')).results as Array<{ command: string; median: number }>;
    console.log(`logs --since 24h -o json: ${(res[1]!.median / res[0]!.median).toFixed(2)}x kubectl logs | grep`);
  } finally {
    await c.stop();
  }
}
