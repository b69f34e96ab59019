// Warm start time and memory of the local control plane (etcd + kube-apiserver + kwok with
// the Istio CRDs), over several starts in one run. Usage: node bench/cluster.ts [runs]
import { readFileSync } from 'node:fs';
import { startCluster } from '../test/cluster/harness.ts';

const runs = Number(process.argv[2] ?? 3);
const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const names = ['etcd', 'kube-apiserver', 'kwok'];
const rows: string[] = [];
const starts: number[] = [];
for (let i = 0; i < runs; i++) {
  const c = await startCluster();
  starts.push(c.startMs);
  await new Promise((r) => setTimeout(r, 5000)); // let it settle before reading memory
  const rss = c.pids.map(rssMiB);
  rows.push(`| ${i + 1} | ${(c.startMs / 1000).toFixed(1)} | ${rss.map((r) => r.toFixed(0)).join(' | ')} | ${rss.reduce((a, b) => a + b, 0).toFixed(0)} |`);
  await c.stop();
}
starts.sort((a, b) => a - b);
console.log(`| run | start (s) | ${names.map((n) => `${n} RSS (MiB)`).join(' | ')} | total RSS (MiB) |`);
console.log(`|---|---|${names.map(() => '---').join('|')}|---|`);
for (const r of rows) console.log(r);
console.log(`\nmedian start: ${(starts[Math.floor(starts.length / 2)]! / 1000).toFixed(1)} s over ${runs} runs`);
