// npm run demo: a local control plane, a real OpenID provider, Omnia-like agents, and a
// walk through every command, each printed before its output. It leaves everything running
// (Ctrl-C does not stop it) and says how to explore and how to stop: npm run demo -- --down.
// --ci: non-interactive, checks each step's verdict, then tears everything down.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendLog, createAgentPods, kubectlSync, startCluster, stopClusterDir, type ClusterInfo } from '../test/cluster/harness.ts';
import { makeCa, makeLeaf } from '../test/support/certs.ts';
import { requestToken, AUDIENCE } from '../test/support/oidc.ts';
import { textLine } from '../test/support/access-lines.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = process.env['OMNIA_AUTH_DEMO_DIR'] ?? join(ROOT, '.demo');
const NS = 'omnia-demo';
const ci = process.argv.includes('--ci');
const bold = (s: string) => (process.stdout.isTTY && !process.env['NO_COLOR'] ? `\x1b[1m${s}\x1b[0m` : s);

async function down(): Promise<void> {
  const oidc = join(DEMO, 'oidc.json');
  if (existsSync(oidc)) {
    try {
      process.kill(JSON.parse(readFileSync(oidc, 'utf8')).pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const had = await stopClusterDir(join(DEMO, 'cluster'));
  rmSync(DEMO, { recursive: true, force: true });
  console.log(had ? 'demo stopped and removed' : 'no demo was running');
}

if (process.argv.includes('--down')) {
  await down();
  process.exit(0);
}
if (existsSync(join(DEMO, 'cluster', 'cluster.json'))) {
  console.error('A demo is already running. Stop it first: npm run demo -- --down');
  process.exit(2);
}

process.env['OMNIA_AUTH_HARNESS_QUIET'] = '1';
rmSync(DEMO, { recursive: true, force: true });
mkdirSync(join(DEMO, 'tokens'), { recursive: true });
let failures = 0;
try {
  console.log(bold('Starting a local control plane (etcd, kube-apiserver, kwok, Istio CRDs) and an OpenID provider...'));
  const ca = makeCa(join(DEMO, 'pki'), 'ca');
  makeLeaf(join(DEMO, 'pki'), ca, 'oidc');
  const c: ClusterInfo = await startCluster({ dir: join(DEMO, 'cluster'), detached: true });
  const oidcProc = spawn(process.execPath, [join(ROOT, 'scripts', 'demo-oidc.ts'), DEMO], { detached: true, stdio: ['ignore', 'ignore', 'ignore'] });
  oidcProc.unref();
  for (let i = 0; i < 100 && !existsSync(join(DEMO, 'oidc.json')); i++) await new Promise((r) => setTimeout(r, 100));
  const { issuer } = JSON.parse(readFileSync(join(DEMO, 'oidc.json'), 'utf8')) as { issuer: string };
  console.log(`  API server ${c.server}, provider ${issuer} (ready in ${(c.startMs / 1000).toFixed(1)} s)\n`);

  const kubectl = (args: string[], input?: string) => kubectlSync(c.binaries.kubectl, c.adminKubeconfig, args, input);
  kubectl(['create', 'namespace', NS]);
  kubectl(['create', 'namespace', 'istio-system']);
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] } }));
  createAgentPods(c, [
    { namespace: NS, agent: 'support-bot', name: 'support-bot-0' }, { namespace: NS, agent: 'support-bot', name: 'support-bot-1' },
    { namespace: NS, agent: 'legacy-bot', name: 'legacy-bot-0', sidecar: false },
  ]);
  console.log(`Namespace ${NS}: agents support-bot (2 pods with istio-proxy) and legacy-bot (1 pod without sidecar); access logs on.\n`);

  // Commands go through the real kubectl, which finds the plugin on PATH.
  const env = { ...process.env, KUBECONFIG: c.adminKubeconfig, PATH: `${join(ROOT, 'bin')}:${dirname(process.execPath)}:${process.env['PATH']}` };
  const step = (title: string, args: string[], expect: { code: number; contains: string[] }) => {
    console.log(bold(`# ${title}`));
    console.log(`$ kubectl omnia-auth ${args.map((a) => (/[\s$"]/.test(a) ? `'${a}'` : a)).join(' ')}`);
    const r = spawnSync(c.binaries.kubectl, ['omnia-auth', ...args], { env, encoding: 'utf8' });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    const ok = r.status === expect.code && expect.contains.every((s) => r.stdout.includes(s) || r.stderr.includes(s));
    if (!ok) {
      failures++;
      console.log(`!! unexpected: exit ${r.status} (expected ${expect.code}), looking for ${JSON.stringify(expect.contains)}`);
    }
    console.log('');
  };
  const caFile = join(DEMO, 'pki', 'ca.crt');

  step('Apply JWT authentication for the agents (what the Omnia chart renders, without its traps)',
    ['apply', '-n', NS, '--issuer', issuer, '--audience', AUDIENCE, '--require-claim', 'scope=agents:access', '--claim-to-header', 'x-user-id=sub', '--ca-file', caFile],
    { code: 0, contains: ['requestauthentication.security.istio.io/omnia-agent-jwt created'] });

  const tok = async (name: string, o: Parameters<typeof requestToken>[2]) => {
    const f = join(DEMO, 'tokens', `${name}.txt`);
    writeFileSync(f, await requestToken(issuer, ca.cert, o), { mode: 0o600 });
    return f;
  };
  const good = await tok('good', { scope: 'agents:access' });
  const wrongAud = await tok('wrong-audience', { scope: 'agents:access', resource: 'https://billing.example.com' });
  const noScope = await tok('missing-scope', { scope: 'openid profile' });
  console.log(`Minted tokens from the provider (real client_credentials grants) into ${join(DEMO, 'tokens')}/\n`);

  step('What is configured, and what is wrong?', ['status', '-n', NS, '--ca-file', caFile], { code: 1, contains: ['OA0002', 'legacy-bot-0'] });
  const ct = (file: string) => ['check-token', '--token-file', file, '-n', NS, '--agent', 'support-bot', '--path', '/ws', '--ca-file', caFile];
  step('A good token', ct(good), { code: 0, contains: ['Istio would let it through (200)'] });
  const later = new Date(Date.now() + 2 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  step('The same token two hours later', [...ct(good), '--now', later], { code: 1, contains: ['Istio would answer 401 Jwt is expired'] });
  step('A token for another API (wrong audience)', ct(wrongAud), { code: 1, contains: ['Istio would answer 403 Audiences in Jwt are not allowed'] });
  step('A token without the required scope', ct(noScope), { code: 1, contains: ['Istio would answer 403 RBAC: access denied', 'rule 1 needs request.auth.claims[scope] in {agents:access}'] });

  // There is no Envoy here: write what the sidecars would log for those requests.
  const deny = (s: string) => `jwt_authn_access_denied{${s.replace(/ /g, '_')}}`;
  appendLog(c, NS, 'support-bot-0', 'istio-proxy', [
    textLine({ code: 200, details: 'via_upstream', path: '/ws', requestId: 'demo-1' }),
    textLine({ code: 401, details: deny('Jwt is expired'), path: '/ws', requestId: 'demo-2' }),
    textLine({ code: 403, details: deny('Audiences in Jwt are not allowed'), path: '/ws', requestId: 'demo-3' }),
  ]);
  appendLog(c, NS, 'support-bot-1', 'istio-proxy', [
    textLine({ code: 403, details: 'rbac_access_denied_matched_policy[none]', path: '/ws', requestId: 'demo-4' }),
    textLine({ code: 403, details: `rbac_access_denied_matched_policy[ns[${NS}]-policy[omnia-agent-deny-unauthenticated]-rule[0]]`, path: '/ws', requestId: 'demo-5' }),
  ]);
  console.log('(Sidecar access-log lines for those requests were written to the pods\' logs: kwok serves them; there is no Envoy here.)\n');
  step('The sidecars\' auth failures, classified and summarised', ['logs', '-n', NS, '--summary'], { code: 0, contains: ['Summary: 4 auth failures', 'Jwt is expired'] });

  if (ci) {
    console.log(failures ? `demo: ${failures} step(s) did not give the expected verdict` : 'demo: every step gave the expected verdict');
  } else {
    console.log(bold('The demo cluster keeps running. Explore it:'));
    console.log(`  export KUBECONFIG=${c.adminKubeconfig}`);
    console.log(`  export PATH=${join(ROOT, 'bin')}:${dirname(process.execPath)}:$PATH   # kubectl finds the plugin; Node >= 22.19`);
    console.log(`  ${c.binaries.kubectl} omnia-auth status -n ${NS} -o wide`);
    console.log(`  ${c.binaries.kubectl} omnia-auth check-token --token-file ${good} -n ${NS} --agent support-bot --ca-file ${caFile}`);
    console.log(`  ${c.binaries.kubectl} omnia-auth logs -n ${NS} -f`);
    console.log(bold('Stop it: npm run demo -- --down'));
  }
} catch (e) {
  failures++;
  console.error(`demo failed: ${(e as Error).message}`);
} finally {
  if (ci || failures) await down();
}
process.exit(failures ? 1 : 0);
