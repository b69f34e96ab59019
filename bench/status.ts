// status -A against kubectl get on the same cluster, side by side (hyperfine, one run):
// 2,000 agent pods in 50 namespaces, 100 RequestAuthentications, 200 AuthorizationPolicies.
// Also counts status's API requests at 200 pods and at 2,000 pods.
//   npm run build && node bench/status.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyManifests, createAgentPods, kubectlSync, startCluster } from '../test/cluster/harness.ts';

const NS = 50;
const PODS_PER_NS = 40;
const out = process.env['BENCH_OUT'] ?? 'bench/results';
mkdirSync(out, { recursive: true });
const c = await startCluster();
try {
  const bin = join(process.cwd(), 'bin/run.js');
  const countRequests = () => {
    const r = spawnSync(process.execPath, [bin, 'status', '-A', '-o', 'json', '--no-check-jwks', '--fail-on', 'none', '--kubeconfig', c.adminKubeconfig], {
      env: { ...process.env, OMNIA_AUTH_DEBUG: 'http' }, encoding: 'utf8', maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return { requests: r.stderr.split('\n').filter((l) => l.startsWith('[http] ')).length, pods: JSON.parse(r.stdout).workloads.length };
  };
  const namespaces = Array.from({ length: NS }, (_, i) => `bench-${String(i).padStart(2, '0')}`);
  kubectlSync(c.binaries.kubectl, c.adminKubeconfig, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })) }));
  const policies = namespaces.flatMap((ns) => [
    ...[0, 1].map((i) => ({ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: `agent-jwt-${i}`, namespace: ns },
      spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agent', 'app.kubernetes.io/instance': `agent-${i}` } }, jwtRules: [{ issuer: `https://idp-${i}.example.com/`, jwksUri: `https://idp-${i}.example.com/jwks`, audiences: ['agents'] }] } })),
    ...[0, 1, 2, 3].map((i) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `agent-policy-${i}`, namespace: ns },
      spec: { selector: { matchLabels: { 'omnia.altairalabs.ai/component': 'agent' } }, action: i % 2 ? 'DENY' : 'ALLOW',
        rules: i % 2 ? [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPaths: ['/healthz', '/readyz'] } }] }] : [{ from: [{ source: { requestPrincipals: ['*'] } }], when: [{ key: 'request.auth.claims[scope]', values: [`agents:${i}`] }] }] } })),
  ]);
  applyManifests(c, policies);
  const podsFor = (from: number, to: number) => namespaces.flatMap((ns) => Array.from({ length: to - from }, (_, k) => ({ namespace: ns, agent: `agent-${(from + k) % 2}`, name: `agent-${from + k}` })));
  createAgentPods(c, podsFor(0, 4), { wait: false, logs: false }); // 200 pods
  countRequests(); // warm-up: a fresh apiserver answers 429 while its watch cache fills
  const at200 = countRequests();
  createAgentPods(c, podsFor(4, PODS_PER_NS), { wait: false, logs: false }); // 2,000 pods
  const at2000 = countRequests();
  console.log(`status -A API requests: ${at200.requests} at ${at200.pods} pods, ${at2000.requests} at ${at2000.pods} pods`);

  const kc = `${c.binaries.kubectl} --kubeconfig ${c.adminKubeconfig}`;
  execFileSync('hyperfine', [
    '--warmup', '2', '--runs', process.env['RUNS'] ?? '15', '-N', '--export-json', join(out, 'status.json'), '--export-markdown', join(out, 'status.md'),
    '-n', 'kubectl get ... -A -o json', `${kc} get requestauthentications.security.istio.io,authorizationpolicies.security.istio.io,pods -A -o json`,
    '-n', 'status -A -o json --no-check-jwks', `${process.execPath} ${bin} status -A -o json --no-check-jwks --fail-on none --kubeconfig ${c.adminKubeconfig}`,
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  const res = JSON.parse(readFileSync(join(out, 'status.json'), 'utf8')).results as Array<{ command: string; median: number }>;
  console.log(`\nmedian: kubectl ${(res[0]!.median * 1000).toFixed(0)} ms, status ${(res[1]!.median * 1000).toFixed(0)} ms, ratio ${(res[1]!.median / res[0]!.median).toFixed(2)}x`);
} finally {
  await c.stop();
}
