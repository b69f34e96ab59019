// One local control plane for the whole e2e run (etcd, kube-apiserver, kwok, Istio CRDs),
// shared through vitest's provide/inject. Per-file servers (OpenID provider, misbehaving
// JWKS) are started by the files themselves.
import type { TestProject } from 'vitest/node';
import { startCluster, type ClusterInfo } from '../cluster/harness.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  const { stop: _stop, ...info } = cluster;
  project.provide('cluster', info);
  return async () => {
    await cluster.stop();
  };
}
