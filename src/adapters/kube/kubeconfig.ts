// kubeconfig loading with kubectl's rules: --kubeconfig, else $KUBECONFIG (a list, merged,
// first definition wins), else ~/.kube/config, else in-cluster; --context or current-context.
// Certificates, tokens and basic auth are handled here (fast, no heavy imports); exec and
// auth-provider users go through client-node's KubeConfig, loaded only for them.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfigError } from './errors.js';

export interface KubeTarget {
  server: string;
  contextName: string;
  /** The context's namespace, when it sets one. */
  namespace?: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  headers: Record<string, string>;
  /** Files the configuration came from, for messages. */
  sources: string[];
}

type Raw = Record<string, any>;

function named(list: unknown, key: string): Map<string, Raw> {
  const m = new Map<string, Raw>();
  if (Array.isArray(list)) for (const e of list) if (e && typeof e.name === 'string' && !m.has(e.name)) m.set(e.name, (e[key] ?? {}) as Raw);
  return m;
}

export function kubeconfigPaths(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [explicit];
  const list = env['KUBECONFIG'];
  if (list) return list.split(':').filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

export async function loadKubeTarget(opts: { kubeconfig?: string; context?: string }): Promise<KubeTarget> {
  const paths = kubeconfigPaths(opts.kubeconfig);
  const present = paths.filter((p) => existsSync(p));
  if (opts.kubeconfig && present.length === 0) throw new KubeConfigError('missing-file', `kubeconfig ${opts.kubeconfig} does not exist`);
  if (present.length === 0) {
    if (process.env['KUBERNETES_SERVICE_HOST'] && !opts.context) return inCluster();
    throw new KubeConfigError('no-config', `no kubeconfig found (looked at ${paths.join(', ')})`, [
      'Point at your cluster: --kubeconfig <file>, or export KUBECONFIG=<file>.',
      'No cluster at hand? npm run demo starts a local one.',
    ]);
  }
  const { parse } = await import('yaml');
  const contexts = new Map<string, Raw>();
  const clusters = new Map<string, Raw & { _dir: string }>();
  const users = new Map<string, Raw & { _dir: string }>();
  let current: string | undefined;
  for (const path of present) {
    let doc: Raw;
    try {
      doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Raw;
    } catch (e) {
      throw new KubeConfigError('invalid', `kubeconfig ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    const dir = dirname(resolve(path));
    for (const [k, v] of named(doc['contexts'], 'context')) if (!contexts.has(k)) contexts.set(k, v);
    for (const [k, v] of named(doc['clusters'], 'cluster')) if (!clusters.has(k)) clusters.set(k, { ...v, _dir: dir });
    for (const [k, v] of named(doc['users'], 'user')) if (!users.has(k)) users.set(k, { ...v, _dir: dir });
    if (!current && typeof doc['current-context'] === 'string' && doc['current-context']) current = doc['current-context'];
  }
  const contextName = opts.context ?? current;
  if (!contextName) {
    throw new KubeConfigError('no-context', 'the kubeconfig has no current context', [`Pick one: --context <name> (available: ${[...contexts.keys()].join(', ') || 'none'})`]);
  }
  const ctx = contexts.get(contextName);
  if (!ctx) {
    throw new KubeConfigError('no-context', `context "${contextName}" not found in ${present.join(', ')}`, [`Available contexts: ${[...contexts.keys()].join(', ') || 'none'}`, 'kubectl config get-contexts']);
  }
  const cluster = clusters.get(String(ctx['cluster'] ?? ''));
  if (!cluster || typeof cluster['server'] !== 'string') {
    throw new KubeConfigError('invalid', `context "${contextName}" names cluster "${ctx['cluster']}", which is not defined (or has no server)`, ['kubectl config view']);
  }
  const user: Raw & { _dir: string } = users.get(String(ctx['user'] ?? '')) ?? { _dir: cluster._dir };
  const file = (base: string, p: unknown) => readFileSync(isAbsolute(String(p)) ? String(p) : join(base, String(p)));
  const target: KubeTarget = {
    server: cluster['server'].replace(/\/$/, ''), contextName,
    ...(typeof ctx['namespace'] === 'string' && ctx['namespace'] ? { namespace: ctx['namespace'] } : {}),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    headers: {}, sources: present,
  };
  try {
    if (cluster['certificate-authority-data']) target.ca = Buffer.from(cluster['certificate-authority-data'], 'base64');
    else if (cluster['certificate-authority']) target.ca = file(cluster._dir, cluster['certificate-authority']);
    if (typeof cluster['tls-server-name'] === 'string') target.tlsServerName = cluster['tls-server-name'];
    if (user['client-certificate-data']) target.cert = Buffer.from(user['client-certificate-data'], 'base64');
    else if (user['client-certificate']) target.cert = file(user._dir, user['client-certificate']);
    if (user['client-key-data']) target.key = Buffer.from(user['client-key-data'], 'base64');
    else if (user['client-key']) target.key = file(user._dir, user['client-key']);
    if (typeof user['token'] === 'string' && user['token']) target.headers['authorization'] = `Bearer ${user['token']}`;
    else if (user['tokenFile']) target.headers['authorization'] = `Bearer ${file(user._dir, user['tokenFile']).toString('utf8').trim()}`;
    else if (typeof user['username'] === 'string') {
      target.headers['authorization'] = `Basic ${Buffer.from(`${user['username']}:${user['password'] ?? ''}`).toString('base64')}`;
    }
  } catch (e) {
    throw new KubeConfigError('invalid', `kubeconfig context "${contextName}": cannot read ${(e as NodeJS.ErrnoException).path ?? 'a referenced file'}`, ['kubectl config view --minify']);
  }
  if (user['exec'] || user['auth-provider']) await applyClientNodeAuth(target, present, contextName);
  return target;
}

/** exec plugins (EKS, GKE, AKS, OIDC login...) and legacy auth-providers, through client-node. */
async function applyClientNodeAuth(target: KubeTarget, files: string[], context: string): Promise<void> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const saved = process.env['KUBECONFIG'];
  process.env['KUBECONFIG'] = files.join(':');
  try {
    kc.loadFromDefault();
  } finally {
    if (saved === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = saved;
  }
  kc.setCurrentContext(context);
  const opts: { headers?: Record<string, string>; cert?: string | Buffer; key?: string | Buffer } = { headers: {} };
  try {
    await kc.applyToHTTPSOptions(opts as never);
  } catch (e) {
    throw new KubeConfigError('auth', `authentication for context "${context}" failed: ${(e as Error).message.split('\n')[0]}`, ['Check the exec plugin or auth provider of this kubeconfig user (kubectl get --raw /version).']);
  }
  for (const [k, v] of Object.entries(opts.headers ?? {})) target.headers[k.toLowerCase()] = String(v);
  if (opts.cert) target.cert = opts.cert;
  if (opts.key) target.key = opts.key;
}

function inCluster(): KubeTarget {
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  const host = process.env['KUBERNETES_SERVICE_HOST']!;
  const port = process.env['KUBERNETES_SERVICE_PORT'] ?? '443';
  let token = '';
  let ns: string | undefined;
  try {
    token = readFileSync(join(sa, 'token'), 'utf8').trim();
    ns = readFileSync(join(sa, 'namespace'), 'utf8').trim();
  } catch {
    throw new KubeConfigError('no-config', 'no kubeconfig and no service account token (in-cluster)', ['Pass --kubeconfig.']);
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, contextName: 'in-cluster', ...(ns ? { namespace: ns } : {}),
    ...(existsSync(join(sa, 'ca.crt')) ? { ca: readFileSync(join(sa, 'ca.crt')) } : {}),
    insecureSkipTlsVerify: false, headers: { authorization: `Bearer ${token}` }, sources: ['in-cluster service account'],
  };
}
