import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { decodeForDisplay } from '../core/jwt/parse.js';
import { checkToken, type Check, type KeySourceFacts } from '../core/jwt/report.js';
import { extractToken, type TokenSource } from '../core/jwt/token-input.js';
import { AGENT_INSTANCE_LABEL, AGENT_LABEL, AGENT_LABEL_VALUE, DEFAULT_ROOT_NAMESPACE, refString, type JwtRule, type ObjectSet, type RequestAuthentication } from '../core/istio/model.js';
import { readStdin } from '../lib/stdin.js';
import { BaseCommand, commonFlags, kubeFlags, outputFlag } from '../lib/base.js';
import { CliError, UsageError } from '../lib/errors.js';
import { renderCheckToken } from '../render/check-token.js';
import { toYaml } from '../render/output.js';

const SOURCE_LABEL: Record<TokenSource, string> = {
  raw: 'raw token',
  bearer: 'from "Bearer <token>"',
  'authorization-header': 'from an Authorization header line',
  'url-query': 'from the access_token query parameter',
};

type Flags = {
  'jwks-file'?: string; 'jwks-uri'?: string; 'ca-file'?: string; 'insecure-skip-tls-verify'?: boolean;
};

export default class CheckToken extends BaseCommand {
  static override summary = 'The verdict Istio would give a request with this token: Envoy\'s exact status, 401 or 403, and which rule.';

  static override description = `Without --issuer, check-token reads the RequestAuthentications and AuthorizationPolicies
that apply to the target agent pods (from the cluster, or from manifests with -f) and
evaluates the whole request as Istio does: jwt_authn first (the token's iss picks the
jwtRule; Envoy's checks in Envoy's order with Envoy's exact status strings), then the
AuthorizationPolicies (CUSTOM, DENY, ALLOW), with a trace of every rule.

With --issuer (and --audience), it checks the token alone against that jwtRule.

Keys come from the jwtRule (inline jwks or jwksUri), --jwks-file, --jwks-uri, or OIDC
discovery; reaching them is reported as checks of their own. The token is never printed whole.

Exit codes: 0 allowed, 1 rejected (401/403), 2 usage error, 3 undetermined (no keys, a
condition that cannot be evaluated here) or the cluster cannot be reached.`;

  static override examples = [
    { description: 'What would the support-bot agent answer to this token?', command: 'kubectl omnia-auth check-token "$TOKEN" -n agents --agent support-bot' },
    { description: 'A browser WebSocket (token in the query) on /ws:', command: 'kubectl omnia-auth check-token "$TOKEN" --agent support-bot --path /ws --token-location query' },
    { description: 'No token at all, and a CORS preflight:', command: 'kubectl omnia-auth check-token --no-token --agent support-bot --path /ws\nkubectl omnia-auth check-token --no-token --agent support-bot --method OPTIONS --origin https://app.example.com' },
    { description: 'Against manifests, offline (pods come from the same files):', command: 'helm template omnia omnia/omnia -f values.yaml > all.yaml && kubectl omnia-auth check-token --token-file t.txt -f all.yaml --jwks-file jwks.json' },
    { description: 'The token alone against an issuer and audience:', command: 'kubectl omnia-auth check-token "$TOKEN" --issuer https://example.eu.auth0.com/ --audience https://agents.example.com' },
    { description: 'Offline, with a saved JWKS, as of a given instant:', command: 'kubectl omnia-auth check-token --token-file t.txt --issuer https://idp.example.com/ --jwks-file jwks.json --now 2026-12-03T10:00:00Z' },
  ];

  static override args = {
    token: Args.string({ description: 'The token: a JWT, "Bearer <jwt>", "Authorization: Bearer <jwt>", a URL with access_token=, or - for stdin.' }),
  };

  static override flags = {
    'token-file': Flags.string({ description: 'Read the token from this file.' }),
    'no-token': Flags.boolean({ description: 'A request without any token (the AuthorizationPolicies decide).' }),
    issuer: Flags.string({ description: 'Check the token alone against this issuer, byte for byte (no policies).' }),
    audience: Flags.string({ description: 'With --issuer: an allowed audience (repeatable). None: any audience, as in Istio.', multiple: true }),
    agent: Flags.string({ description: `Target the pods of this agent (${AGENT_INSTANCE_LABEL}=NAME).`, helpGroup: 'TARGET' }),
    pod: Flags.string({ description: 'Target this pod.', helpGroup: 'TARGET' }),
    selector: Flags.string({ char: 'l', description: `Label selector for the target pods (default ${AGENT_LABEL}=${AGENT_LABEL_VALUE}).`, helpGroup: 'TARGET' }),
    filename: Flags.string({ char: 'f', description: 'Policies and pods from manifests (file, directory, or -), offline (repeatable).', multiple: true, helpGroup: 'TARGET' }),
    'root-namespace': Flags.string({ description: "Istio's root namespace (mesh-wide policies).", default: DEFAULT_ROOT_NAMESPACE, helpGroup: 'TARGET' }),
    path: Flags.string({ description: 'Request path (the query string is ignored by paths rules).', default: '/', helpGroup: 'REQUEST' }),
    method: Flags.string({ description: 'Request method.', default: 'GET', helpGroup: 'REQUEST' }),
    host: Flags.string({ description: 'Request host (:authority), for hosts rules.', helpGroup: 'REQUEST' }),
    port: Flags.integer({ description: 'Destination port, for ports rules.', helpGroup: 'REQUEST' }),
    'token-location': Flags.string({ description: 'Where the client sends the token.', options: ['header', 'query'], default: 'header', helpGroup: 'REQUEST' }),
    origin: Flags.string({ description: 'Origin header; with --method OPTIONS this is a CORS preflight (jwt_authn skips it).', helpGroup: 'REQUEST' }),
    'jwks-file': Flags.string({ description: 'Verify with the JWKS in this file (offline).', exclusive: ['jwks-uri'] }),
    'jwks-uri': Flags.string({ description: 'Fetch the JWKS from this URL instead of the jwtRule\'s or discovery.' }),
    now: Flags.string({ description: 'Evaluate at this instant: unix seconds or RFC 3339 (default: now).' }),
    timeout: Flags.string({ description: 'Time limit for each discovery/JWKS fetch (istiod uses 5s).', default: '5s' }),
    'ca-file': Flags.string({ description: 'PEM CA bundle to trust for discovery and JWKS (a private CA).' }),
    'insecure-skip-tls-verify': Flags.boolean({ description: 'Do not verify the TLS certificate of the issuer (only when asked).' }),
    output: outputFlag(['table', 'json', 'yaml']),
    ...commonFlags,
    ...kubeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CheckToken);
    const format = this.resolveOutput(flags);
    const timeoutMs = this.durationMs('timeout', flags.timeout);
    const now = parseNow(flags.now);
    const targeted = Boolean(flags.agent || flags.pod || flags.selector || flags.filename?.length);
    if (flags.issuer !== undefined && targeted) {
      throw new UsageError('--issuer checks the token alone; --agent, --pod, -l and -f use the RequestAuthentications that apply: choose one');
    }
    if (flags['no-token'] && (args.token !== undefined || flags['token-file'] !== undefined)) throw new UsageError('--no-token and a token: choose one');

    let token = '';
    let source: TokenSource = 'raw';
    if (!flags['no-token']) {
      const raw = await readTokenText(args.token, flags['token-file']);
      ({ token, source } = extractToken(raw));
      if (token === '') {
        throw new UsageError('the token is empty (is the variable set?)', ['For a request without any token: --no-token (with --agent or -f).']);
      }
    }

    const render = async (result: object & { allowed: boolean | null }) => {
      if (format === 'json') this.printJson(result);
      else if (format === 'yaml') this.print(await toYaml(result));
      else this.print(renderCheckToken(result as never, this.style(flags), { now, width: this.width(), sourceLabel: SOURCE_LABEL[source] }));
      this.setExit(result.allowed === null ? 3 : result.allowed ? 0 : 1);
    };

    // The token alone (an explicit issuer).
    if (flags.issuer !== undefined) {
      if (flags['no-token']) throw new UsageError('--no-token needs policies: use it with --agent, --pod, -l or -f');
      const keySource = await this.obtainKeys(token, flags.issuer, undefined, flags, timeoutMs);
      await render(checkToken({ token, tokenSource: source, rule: { issuer: flags.issuer, audiences: flags.audience ?? [] }, now, keySource, timeoutMs }));
      return;
    }

    // Policies: from manifests or from the cluster.
    const selector = [flags.selector ?? `${AGENT_LABEL}=${AGENT_LABEL_VALUE}`, ...(flags.agent ? [`${AGENT_INSTANCE_LABEL}=${flags.agent}`] : [])].join(',');
    const extraChecks: Check[] = [];
    let set: ObjectSet;
    let namespace: string | undefined = flags.namespace;
    if (flags.filename?.length) {
      const { readManifests } = await import('../adapters/files.js');
      const { sortObjects } = await import('../core/istio/model.js');
      const { labelsMatchSelector } = await import('../core/istio/selector-string.js');
      const { objects } = await readManifests(flags.filename, readStdin);
      set = sortObjects(objects, namespace ?? 'default');
      set.pods = set.pods.filter((p) => (flags.pod ? p.name === flags.pod : labelsMatchSelector(selector, p.labels)) && (!namespace || p.namespace === namespace));
    } else {
      const { KubeConfigError } = await import('../adapters/kube/errors.js');
      let kube;
      try {
        kube = await this.kube(flags);
      } catch (e) {
        if (e instanceof KubeConfigError && e.problem === 'no-config' && !targeted && !flags['no-token']) {
          // No cluster configured at all: check the token alone, and say so.
          const keySource = await this.obtainKeys(token, undefined, undefined, flags, timeoutMs);
          const r = checkToken({ token, tokenSource: source, rule: { audiences: [] }, now, keySource, timeoutMs });
          r.checks.push({ id: 'policies', status: 'warn', message: 'no kubeconfig: the token alone was checked, no RequestAuthentication or AuthorizationPolicy was read', remedy: 'Point at the cluster (--kubeconfig), pass manifests (-f), or the issuer (--issuer).' });
          await render(r);
          return;
        }
        throw e;
      }
      const { target, client } = kube;
      namespace ??= target.namespace ?? 'omnia-system';
      const { gatherCluster } = await import('../adapters/kube/snapshot.js');
      try {
        const g = await gatherCluster(client, { namespaces: [namespace], rootNamespace: flags['root-namespace'], podSelector: flags.pod ? '' : selector, ...(flags.pod ? { podName: flags.pod } : {}) });
        if (g.missingApis.length) throw new CliError(`the cluster does not serve ${g.missingApis.join(', ')}: Istio is not installed`, 1, ['kubectl omnia-auth status'], 'no-istio');
        if (g.forbidden.length) {
          throw new CliError(`forbidden: cannot ${g.forbidden.map((f) => `${f.verb} ${f.resource}${f.namespace ? ` in ${f.namespace}` : ''}`).join(', ')}: the verdict needs them`, 3,
            g.forbidden.map((f) => `kubectl auth can-i ${f.verb} ${f.resource}${f.namespace ? ` -n ${f.namespace}` : ''}`), 'forbidden');
        }
        set = g.set;
      } finally {
        client.close();
      }
    }

    const pods = set.pods;
    if (pods.length === 0) {
      throw new CliError(`no target pod: nothing matches ${flags.pod ? `pod ${flags.pod}` : selector}${namespace ? ` in namespace ${namespace}` : ''}`, 1,
        ['kubectl omnia-auth status -A   (where are the agents?)', 'Choose the namespace (-n), the agent (--agent) or a pod (--pod).'], 'no-target');
    }
    const { chooseTarget, pickJwtRule, checkRequest } = await import('../core/istio/check-request.js');
    const { pod, ras, aps, checks: targetChecks } = chooseTarget(pods, set, flags['root-namespace']);
    extraChecks.push(...targetChecks);
    const pick = pickJwtRule(token, ras);
    const rule = pick.kind === 'rule' ? pick : undefined;
    const keySource: KeySourceFacts = pick.kind === 'rule' || pick.kind === 'unknown-issuer'
      ? await this.obtainKeys(token, rule?.rule.issuer, rule ? { rule: rule.rule, ra: rule.ra } : undefined, flags, timeoutMs, pick.kind === 'unknown-issuer')
      : { mode: 'none', noneReason: pick.kind === 'no-token' ? 'no token' : 'no RequestAuthentication applies' };
    const result = checkRequest({
      token, tokenSource: source, noToken: Boolean(flags['no-token']),
      request: { path: flags.path, method: flags.method, ...(flags.host ? { host: flags.host } : {}), ...(flags.port !== undefined ? { port: flags.port } : {}), ...(flags.origin ? { origin: flags.origin } : {}), tokenLocation: flags['token-location'] as 'header' | 'query' },
      workload: refString(pod), ras, aps, pick, keySource, now, timeoutMs, extraChecks,
    });
    await render(result);
  }

  private async obtainKeys(
    token: string, issuer: string | undefined, fromRule: { rule: JwtRule; ra: RequestAuthentication } | undefined,
    flags: Flags, timeoutMs: number, skipNetwork = false,
  ): Promise<KeySourceFacts> {
    if (flags['jwks-file']) {
      const path = flags['jwks-file'];
      try {
        return { mode: 'jwks-file', jwks: { source: path, text: await readFile(path, 'utf8') } };
      } catch (e) {
        return { mode: 'jwks-file', jwks: { source: path, readError: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message } };
      }
    }
    if (fromRule?.rule.jwks !== undefined && !flags['jwks-uri']) {
      return { mode: 'jwks-file', jwks: { source: `inline jwks of ${refString(fromRule.ra)}`, text: fromRule.rule.jwks } };
    }
    if (skipNetwork) return { mode: 'none', noneReason: 'the token\'s issuer is not configured' };
    this.progress('fetching the JWKS...');
    const { fetchKeys, fetchOptions } = await import('../lib/keys.js');
    const opts = await fetchOptions({ timeoutMs, ...(flags['ca-file'] ? { caFile: flags['ca-file'] } : {}), insecure: Boolean(flags['insecure-skip-tls-verify']) });
    const uri = flags['jwks-uri'] ?? fromRule?.rule.jwksUri;
    if (uri) {
      const k = await fetchKeys({ jwksUri: uri, discover: false }, opts);
      return { mode: 'jwks-uri', jwks: { source: uri, fetch: k.jwks!, ...(k.jwks!.ok ? { text: k.jwks!.body } : {}) } };
    }
    const tokenIss = decodeForDisplay(token).claims?.['iss'];
    const from = issuer ?? (typeof tokenIss === 'string' && tokenIss !== '' ? tokenIss : undefined);
    if (from === undefined) {
      return { mode: 'none', noneReason: 'no --issuer, --jwks-uri or --jwks-file, and the token carries no iss to discover from' };
    }
    const k = await fetchKeys({ issuer: from, discover: true }, opts);
    const d = k.discovery!;
    const facts: KeySourceFacts = {
      mode: 'discovery',
      discovery: { issuer: from, fromToken: issuer === undefined, fetch: d, ...(d.ok && d.document ? { document: d.document } : {}), ...(d.ok && d.invalid ? { invalid: d.invalid } : {}) },
    };
    if (k.jwks && k.jwksUri) facts.jwks = { source: k.jwksUri, fetch: k.jwks, ...(k.jwks.ok ? { text: k.jwks.body } : {}) };
    return facts;
  }
}

function parseNow(value: string | undefined): number {
  if (value === undefined) return Math.floor(Date.now() / 1000);
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new UsageError(`invalid --now ${JSON.stringify(value)}: use unix seconds or RFC 3339 (2026-12-03T10:00:00Z)`);
  }
  return Math.floor(ms / 1000);
}


async function readTokenText(arg: string | undefined, file: string | undefined): Promise<string> {
  if (arg !== undefined && file !== undefined) throw new UsageError('give the token either as an argument or with --token-file, not both');
  if (file !== undefined) {
    try {
      return await readFile(file === '-' ? '/dev/stdin' : file, 'utf8');
    } catch {
      throw new UsageError(`cannot read --token-file ${file}`);
    }
  }
  if (arg === '-') return readStdin();
  if (arg !== undefined) return arg;
  if (!process.stdin.isTTY) {
    const text = await readStdin();
    if (text.trim() !== '') return text;
  }
  throw new UsageError('no token given', [
    'kubectl omnia-auth check-token "$TOKEN" --agent <agent>',
    'kubectl omnia-auth check-token --token-file token.txt --issuer <issuer>',
    'echo "$TOKEN" | kubectl omnia-auth check-token - --agent <agent>',
    'A request without a token: --no-token --agent <agent>',
  ]);
}
