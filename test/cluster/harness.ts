// A real, local Kubernetes control plane for the e2e tests, the demo and the benchmarks:
// etcd + kube-apiserver (TLS, RBAC, an admin and a restricted user) + kwok (nodes Ready,
// pods Running, pod logs served through the apiserver) + the Istio security CRDs.
// Everything listens on free loopback ports in one temporary directory; stop() ends exactly
// the processes it started (by pid) and removes the directory.
//
// Runs under vitest and directly under Node 24 (type stripping): erasable TypeScript only,
// and relative imports carry their .ts extension.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ISTIO_KINDS = ['RequestAuthentication', 'AuthorizationPolicy', 'PeerAuthentication', 'Telemetry', 'EnvoyFilter'];
export const NODE_NAME = 'kwok-node-0';

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kwok: string;
  /** Directory with istio-crds.yaml and kwok/{stage,crd}. */
  data: string;
}

export interface ClusterInfo {
  dir: string;
  server: string;
  adminKubeconfig: string;
  restrictedKubeconfig: string;
  /** A kubeconfig whose server does not answer (for "unreachable" tests). */
  unreachableKubeconfig: string;
  caFile: string;
  logsDir: string;
  binaries: Binaries;
  pids: number[];
  startMs: number;
}

export interface Cluster extends ClusterInfo {
  stop(): Promise<void>;
}

/** Restart kwok (the node agent): open log streams through the apiserver break, as on a kubelet restart. */
export async function restartKwok(c: ClusterInfo): Promise<void> {
  const r = spawnSync('bash', ['-c', `kill ${c.pids[2]}; for i in $(seq 50); do kill -0 ${c.pids[2]} 2>/dev/null || exit 0; sleep 0.1; done; kill -9 ${c.pids[2]}`]);
  void r;
  const args = JSON.parse(readFileSync(join(c.dir, 'kwok.args.json'), 'utf8')) as string[];
  const out = openSync(join(c.dir, 'kwok.log'), 'a');
  const p = spawn(c.binaries.kwok, args, { stdio: ['ignore', out, out], cwd: c.dir, detached: false, env: { ...process.env, PATH: `${join(HERE, 'standins')}:${process.env['PATH']}` } });
  c.pids[2] = p.pid!;
  writeFileSync(join(c.dir, 'kwok.pid'), String(p.pid));
  // wait until it serves again
  const port = Number(/--server-address=127\.0\.0\.1:(\d+)/.exec(args.join(' '))![1]);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once('error', () => res(true)); // port in use: kwok is listening
      s.listen(port, '127.0.0.1', () => s.close(() => res(false)));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('kwok did not come back');
}

function log(msg: string): void {
  if (process.env['OMNIA_AUTH_HARNESS_QUIET'] !== '1') process.stderr.write(`[cluster] ${msg}\n`);
}

/** Find or build the binaries (test/cluster/build.sh caches them per version). */
export function resolveBinaries(): Binaries {
  const env = process.env;
  const fromEnv = {
    etcd: env['TEST_ASSET_ETCD'], kubeApiserver: env['TEST_ASSET_KUBE_APISERVER'], kubectl: env['TEST_ASSET_KUBECTL'], kwok: env['TEST_ASSET_KWOK'],
  };
  const assets = env['KUBEBUILDER_ASSETS'];
  const pick = (name: string, explicit: string | undefined, dir: string | undefined): string | undefined =>
    explicit ?? (assets && existsSync(join(assets, name)) ? join(assets, name) : undefined) ?? (dir ? join(dir, name) : undefined);
  const dataEnv = env['OMNIA_AUTH_TESTDATA'];
  let dir: string | undefined;
  const haveAll = pick('etcd', fromEnv.etcd, undefined) && pick('kube-apiserver', fromEnv.kubeApiserver, undefined) &&
    pick('kubectl', fromEnv.kubectl, undefined) && fromEnv.kwok && dataEnv;
  if (!haveAll) {
    const r = spawnSync('bash', [join(HERE, 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) {
      throw new Error('cannot build the control-plane binaries (test/cluster/build.sh failed, see above). ' +
        'Install Go >= 1.26, or provide prebuilt binaries: KUBEBUILDER_ASSETS=<dir with etcd, kube-apiserver, kubectl> ' +
        'plus TEST_ASSET_KWOK=<kwok> and OMNIA_AUTH_TESTDATA=<dir with istio-crds.yaml and kwok/>.');
    }
    dir = r.stdout.trim().split('\n').at(-1)!;
  }
  const b: Binaries = {
    etcd: pick('etcd', fromEnv.etcd, dir)!,
    kubeApiserver: pick('kube-apiserver', fromEnv.kubeApiserver, dir)!,
    kubectl: pick('kubectl', fromEnv.kubectl, dir)!,
    kwok: pick('kwok', fromEnv.kwok, dir)!,
    data: dataEnv ?? join(dir!, 'data'),
  };
  for (const [name, path] of Object.entries(b)) {
    if (!existsSync(path)) throw new Error(`control-plane ${name} not found at ${path}: run test/cluster/build.sh, or set the TEST_ASSET_* variables`);
  }
  return b;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makePki(dir: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7', '-subj', '/CN=omnia-auth-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const leaf = (name: string, subj: string, ext: string) => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subj, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-out', `${name}.crt`, '-extfile', `${name}.ext`], dir);
  };
  const server = 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n';
  leaf('apiserver', '/CN=kube-apiserver', server);
  leaf('kwok', '/CN=kwok', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('admin', '/CN=omnia-admin/O=system:masters', 'extendedKeyUsage=clientAuth\n');
  leaf('restricted', '/CN=restricted-user', 'extendedKeyUsage=clientAuth\n');
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

function kubeconfig(path: string, server: string, ca: string, user: string, cert: string, key: string, namespace = 'default'): void {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  writeFileSync(path, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': user,
    clusters: [{ name: 'omnia-test', cluster: { server, 'certificate-authority-data': b64(ca) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) } }],
    contexts: [{ name: user, context: { cluster: 'omnia-test', user, namespace } }],
  }));
}

function httpsOk(url: string, dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, {
      ca: readFileSync(join(dir, 'ca.crt')), cert: readFileSync(join(dir, 'admin.crt')), key: readFileSync(join(dir, 'admin.key')), timeout: 2000,
    }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: ChildProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) {
      const tail = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`${what} exited with code ${proc.exitCode}\n${tail}`);
    }
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

function kwokConfig(data: string): string {
  const files = [
    'stage/node/fast/node-initialize.yaml', 'stage/node/heartbeat/node-heartbeat.yaml',
    'stage/pod/fast/pod-ready.yaml', 'stage/pod/fast/pod-complete.yaml', 'stage/pod/fast/pod-delete.yaml',
  ];
  return files.map((f) => readFileSync(join(data, 'kwok', f), 'utf8').trim()).join('\n---\n') + '\n';
}

/** The Istio CRDs we need, taken from istio.io/api's generated file (pinned module). */
function istioCrds(data: string): string {
  const docs = parseAllDocuments(readFileSync(join(data, 'istio-crds.yaml'), 'utf8'));
  const keep = docs.map((d) => d.toJS()).filter((o) => o && ISTIO_KINDS.includes(o.spec?.names?.kind));
  if (keep.length !== ISTIO_KINDS.length) throw new Error(`istio-crds.yaml: found ${keep.length} of ${ISTIO_KINDS.length} CRDs`);
  return keep.map((o) => stringify(o)).join('---\n');
}

export interface StartOptions {
  /** Install the Istio CRDs (default true). */
  istioCrds?: boolean;
  /** Use this (empty or new) directory instead of a temporary one. */
  dir?: string;
  /** Outlive this process (the demo): processes are detached; stop them with stopClusterDir(dir). */
  detached?: boolean;
}

/** Stop a cluster started by another process (detached), from the pids in its directory. */
export async function stopClusterDir(dir: string): Promise<boolean> {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return false;
  const info = JSON.parse(readFileSync(file, 'utf8')) as ClusterInfo;
  const pids = [...info.pids];
  if (existsSync(join(dir, 'kwok.pid'))) pids.push(Number(readFileSync(join(dir, 'kwok.pid'), 'utf8')));
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue;
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return true;
}

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const started = Date.now();
  const binaries = resolveBinaries();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'omnia-auth-cluster-'));
  mkdirSync(dir, { recursive: true });
  const procs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(procs.map((p) => terminate(p)));
    // a kwok restarted by restartKwok() is not in procs: end it by its recorded pid
    const pidFile = join(dir, 'kwok.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 50; i++) {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        }
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  };
  if (!opts.detached) process.once('exit', onExit);
  try {
    makePki(dir);
    const [etcdPort, peerPort, apiPort, kwokPort, deadPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const spawnLogged = (name: string, bin: string, args: string[]) => {
      const out = openSync(join(dir, `${name}.log`), 'a');
      // kwok runs Exec commands on this machine: give it the test stand-ins (pilot-agent) first on PATH
      const env = name === 'kwok' ? { ...process.env, PATH: `${join(HERE, 'standins')}:${process.env['PATH']}` } : process.env;
      const p = spawn(bin, args, { stdio: ['ignore', out, out], cwd: dir, detached: Boolean(opts.detached), env });
      if (opts.detached) p.unref();
      procs.push(p);
      return p;
    };

    const etcd = spawnLogged('etcd', binaries.etcd, [
      '--data-dir', join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `default=http://127.0.0.1:${peerPort}`, '--unsafe-no-fsync=true', '--quota-backend-bytes', String(4 * 1024 ** 3),
      '--log-level', 'warn',
    ]);
    await waitFor('etcd', () => httpOk(`http://127.0.0.1:${etcdPort}/health`), 30_000, etcd, join(dir, 'etcd.log'));

    const server = `https://127.0.0.1:${apiPort}`;
    const api = spawnLogged('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`, `--tls-cert-file=${join(dir, 'apiserver.crt')}`, `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
      `--client-ca-file=${join(dir, 'ca.crt')}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`, '--service-cluster-ip-range=10.0.0.0/24', '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount', '--endpoint-reconciler-type=none', '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-client-certificate=${join(dir, 'admin.crt')}`, `--kubelet-client-key=${join(dir, 'admin.key')}`,
      '--enable-priority-and-fairness=false', '--v=0',
    ]);
    await waitFor('kube-apiserver', () => httpsOk(`${server}/readyz`, dir), 90_000, api, join(dir, 'kube-apiserver.log'));

    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    const restrictedKubeconfig = join(dir, 'restricted.kubeconfig');
    const unreachableKubeconfig = join(dir, 'unreachable.kubeconfig');
    kubeconfig(adminKubeconfig, server, join(dir, 'ca.crt'), 'omnia-admin', join(dir, 'admin.crt'), join(dir, 'admin.key'));
    kubeconfig(restrictedKubeconfig, server, join(dir, 'ca.crt'), 'restricted-user', join(dir, 'restricted.crt'), join(dir, 'restricted.key'));
    kubeconfig(unreachableKubeconfig, `https://127.0.0.1:${deadPort}`, join(dir, 'ca.crt'), 'omnia-admin', join(dir, 'admin.crt'), join(dir, 'admin.key'));

    const kc = (args: string[], input?: string) => kubectlSync(binaries.kubectl, adminKubeconfig, args, input);
    // kwok's CRDs (Logs serves pod logs per pod); then the Istio CRDs.
    const kwokCrds = ['kwok.x-k8s.io_logs.yaml', 'kwok.x-k8s.io_clusterlogs.yaml', 'kwok.x-k8s.io_execs.yaml', 'kwok.x-k8s.io_clusterexecs.yaml']
      .map((f) => readFileSync(join(binaries.data, 'kwok', 'crd', 'bases', f), 'utf8')).join('\n---\n');
    kc(['apply', '--server-side', '-f', '-'], kwokCrds);
    if (opts.istioCrds !== false) kc(['apply', '--server-side', '-f', '-'], istioCrds(binaries.data));
    kc(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);

    writeFileSync(join(dir, 'kwok.yaml'), kwokConfig(binaries.data));
    const kwokArgs = [
      `--kubeconfig=${adminKubeconfig}`, `--config=${join(dir, 'kwok.yaml')}`, '--manage-all-nodes=true',
      '--node-ip=127.0.0.1', `--node-port=${kwokPort}`, `--server-address=127.0.0.1:${kwokPort}`,
      `--tls-cert-file=${join(dir, 'kwok.crt')}`, `--tls-private-key-file=${join(dir, 'kwok.key')}`,
      '--enable-crds=Logs,ClusterLogs,Exec,ClusterExec', '--cidr=10.244.0.0/16',
    ];
    writeFileSync(join(dir, 'kwok.args.json'), JSON.stringify(kwokArgs));
    const kwok = spawnLogged('kwok', binaries.kwok, kwokArgs);
    kc(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, type: 'kwok' }, annotations: { 'kwok.x-k8s.io/node': 'fake' } },
      spec: {},
    }));
    await waitFor('kwok node Ready', async () => {
      const r = spawnSync(binaries.kubectl, ['--kubeconfig', adminKubeconfig, 'get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { encoding: 'utf8' });
      return r.stdout.trim() === 'True';
    }, 60_000, kwok, join(dir, 'kwok.log'));

    const logsDir = join(dir, 'pod-logs');
    mkdirSync(logsDir);
    const info: ClusterInfo = {
      dir, server, adminKubeconfig, restrictedKubeconfig, unreachableKubeconfig, caFile: join(dir, 'ca.crt'), logsDir, binaries,
      pids: procs.map((p) => p.pid!), startMs: Date.now() - started,
    };
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify(info, null, 2));
    log(`ready in ${info.startMs} ms at ${server} (dir ${dir})`);
    return { ...info, stop: async () => { process.removeListener('exit', onExit); await stop(); } };
  } catch (e) {
    await stop();
    process.removeListener('exit', onExit);
    throw e;
  }
}

async function terminate(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function kubectlSync(kubectl: string, kubeconfigPath: string, args: string[], input?: string): string {
  const r = spawnSync(kubectl, ['--kubeconfig', kubeconfigPath, ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// ---------- helpers for tests, the demo and the benchmarks ----------

let nsCounter = 0;

/** A fresh namespace (deleted namespaces stay Terminating without a controller-manager). */
export function freshNamespace(c: ClusterInfo, prefix = 'e2e'): string {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}-${nsCounter++}`.slice(0, 63);
  kubectlSync(c.binaries.kubectl, c.adminKubeconfig, ['create', 'namespace', name]);
  return name;
}

export interface AgentPodSpec {
  namespace: string;
  agent: string;
  name?: string;
  sidecar?: boolean;
  labels?: Record<string, string>;
}

export function agentPodManifest(c: ClusterInfo, spec: AgentPodSpec): { pod: object; logs: object; name: string } {
  const name = spec.name ?? `${spec.agent}-${Math.random().toString(36).slice(2, 7)}`;
  const containers = [{ name: 'agent', image: 'ghcr.io/altairalabs/omnia-agent:test' }];
  if (spec.sidecar !== false) containers.push({ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' });
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: spec.namespace,
      labels: {
        'app.kubernetes.io/name': 'omnia-agent', 'app.kubernetes.io/instance': spec.agent, 'omnia.altairalabs.ai/component': 'agent', ...spec.labels,
      },
      ...(spec.sidecar !== false ? { annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } } : {}),
    },
    spec: { nodeName: NODE_NAME, containers, terminationGracePeriodSeconds: 0 },
  };
  const logs = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name, namespace: spec.namespace },
    spec: { logs: containers.map((ct) => ({ containers: [ct.name], logsFile: logFile(c, spec.namespace, name, ct.name), follow: true })) },
  };
  return { pod, logs, name };
}

export function logFile(c: ClusterInfo, namespace: string, pod: string, container: string): string {
  return join(c.logsDir, namespace, pod, `${container}.log`);
}

/** Create agent pods (one kubectl call for all), their log files, and wait until they run. */
export function createAgentPods(c: ClusterInfo, specs: AgentPodSpec[], opts: { wait?: boolean; logs?: boolean } = {}): string[] {
  const made = specs.map((s) => agentPodManifest(c, s));
  for (const m of opts.logs === false ? [] : made) {
    const p = m.pod as { metadata: { namespace: string } };
    for (const ct of ['agent', 'istio-proxy']) {
      const f = logFile(c, p.metadata.namespace, m.name, ct);
      mkdirSync(dirname(f), { recursive: true });
      if (!existsSync(f)) writeFileSync(f, '');
    }
  }
  const items = made.flatMap((m) => (opts.logs === false ? [m.pod] : [m.logs, m.pod]));
  kubectlSync(c.binaries.kubectl, c.adminKubeconfig, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  if (opts.wait !== false) {
    const byNs = new Map<string, string[]>();
    for (const m of made) {
      const ns = (m.pod as { metadata: { namespace: string } }).metadata.namespace;
      byNs.set(ns, [...(byNs.get(ns) ?? []), m.name]);
    }
    for (const [ns, names] of byNs) {
      kubectlSync(c.binaries.kubectl, c.adminKubeconfig, ['-n', ns, 'wait', '--for=condition=Ready', '--timeout=120s', ...names.map((n) => `pod/${n}`)]);
    }
  }
  return made.map((m) => m.name);
}

/** Append lines to a container's log in CRI format (`<RFC3339Nano> stdout F <text>`). */
export function appendLog(c: ClusterInfo, namespace: string, pod: string, container: string, lines: string[], at: Date = new Date()): void {
  const f = logFile(c, namespace, pod, container);
  mkdirSync(dirname(f), { recursive: true });
  const base = at.getTime();
  const text = lines.map((l, i) => `${new Date(base + i).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} stdout F ${l}\n`).join('');
  appendFileSync(f, text);
}

export function applyManifests(c: ClusterInfo, manifests: object[] | string, kubeconfigPath = c.adminKubeconfig): string {
  const input = typeof manifests === 'string' ? manifests : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests });
  return kubectlSync(c.binaries.kubectl, kubeconfigPath, ['apply', '-f', '-'], input);
}

/** kwok Exec objects: `kubectl exec` into these pods runs commands on this machine, with env. */
export function execObjects(namespace: string, pods: string[], env: (pod: string) => Record<string, string>): object[] {
  return pods.map((pod) => ({
    apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Exec', metadata: { name: pod, namespace },
    spec: { execs: [{ containers: ['istio-proxy'], local: { envs: Object.entries(env(pod)).map(([name, value]) => ({ name, value })) } }] },
  }));
}
