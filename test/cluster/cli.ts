// Start the local control plane in the foreground and print how to use it; Ctrl-C stops it.
//   npm run cluster        (node test/cluster/cli.ts)
import { startCluster } from './harness.ts';

const c = await startCluster();
process.stdout.write(`Local control plane ready in ${(c.startMs / 1000).toFixed(1)} s.
  export KUBECONFIG=${c.adminKubeconfig}
  ${c.binaries.kubectl} get nodes
  restricted user (no RBAC bindings): ${c.restrictedKubeconfig}
Press Ctrl-C to stop (everything under ${c.dir} is removed).
`);
const stop = async () => {
  await c.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
