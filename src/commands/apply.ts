import { Flags } from '@oclif/core';
import { FIELD_MANAGER, MANAGED_BY, DEFAULT_EXCLUDE_PATHS, generate, helmValues, type AuthConfig, type K8sObject } from '../core/manifests/generate.js';
import { PROVIDERS, PresetError, preset, type Provider } from '../core/manifests/presets.js';
import { validateConfig } from '../core/manifests/validate.js';
import { BaseCommand, commonFlags, kubeFlags, outputFlag } from '../lib/base.js';
import { CliError, UnreachableError, UsageError } from '../lib/errors.js';

export default class Apply extends BaseCommand {
  static override summary = 'Generate and server-side apply the authentication resources the Omnia chart renders, without its traps.';

  static override description = `Generates exactly what the Omnia chart renders for authentication.* (a RequestAuthentication,
the require-jwt ALLOW and deny-unauthenticated DENY AuthorizationPolicies, and the EnvoyFilter
that strips inbound identity headers), validates it with the CRDs' and Istio's own rules,
checks that the Istio CRDs exist and the JWKS is reachable, and server-side applies it with
the field manager kubectl-omnia-auth. Every object is dry-run on the server before the first
is written, so a rejection leaves nothing half-applied.

Unlike the chart, the jwksUri is never guessed as issuer + /.well-known/jwks.json: it comes
from --jwks-uri, a provider preset, or the issuer's OIDC discovery.`;

  static override examples = [
    { description: 'Auth0 (issuer keeps its trailing slash), requiring a scope:', command: 'kubectl omnia-auth apply --provider auth0 --domain example.eu.auth0.com --audience https://agents.example.com --require-claim scope=agents:access' },
    { description: 'Keycloak, with the user id passed to the agent:', command: 'kubectl omnia-auth apply --provider keycloak --domain sso.example.com --realm omnia --claim-to-header x-user-id=sub' },
    { description: 'Any OIDC issuer (jwksUri from discovery); see the change first:', command: 'kubectl omnia-auth apply --issuer https://idp.example.com --diff' },
    { description: 'Print the chart values instead, or the objects without applying:', command: 'kubectl omnia-auth apply --provider google -o helm-values\nkubectl omnia-auth apply --issuer https://idp.example.com --jwks-uri https://idp.example.com/keys --offline --dry-run=client -o yaml' },
    { description: 'Remove what this plugin applied:', command: 'kubectl omnia-auth apply --disable -n omnia-system --yes' },
  ];

  static override flags = {
    issuer: Flags.string({ description: 'JWT issuer, exactly as tokens carry it.', helpGroup: 'JWT' }),
    'jwks-uri': Flags.string({ description: 'JWKS URL (default: from the provider preset or OIDC discovery).', helpGroup: 'JWT' }),
    audience: Flags.string({ description: 'Accepted audience (repeatable).', multiple: true, helpGroup: 'JWT' }),
    'forward-original-token': Flags.boolean({ description: 'Forward the Authorization header to the agent (the chart default).', allowNo: true, default: true, helpGroup: 'JWT' }),
    'claim-to-header': Flags.string({ description: 'Copy a claim to a request header: HEADER=CLAIM (repeatable).', multiple: true, helpGroup: 'JWT' }),
    provider: Flags.string({ description: 'Provider preset with its real issuer and JWKS paths.', options: PROVIDERS, helpGroup: 'PROVIDER' }),
    domain: Flags.string({ description: 'Provider domain (auth0, okta, keycloak).', helpGroup: 'PROVIDER' }),
    realm: Flags.string({ description: 'Keycloak realm.', helpGroup: 'PROVIDER' }),
    tenant: Flags.string({ description: 'Azure AD / Entra ID tenant id.', helpGroup: 'PROVIDER' }),
    'authorization-server': Flags.string({ description: 'Okta authorization server id.', default: 'default', helpGroup: 'PROVIDER' }),
    'require-claim': Flags.string({ description: 'Require a claim value: CLAIM=V1,V2 (repeatable; one when per claim, any value matches).', multiple: true, helpGroup: 'POLICY' }),
    'exclude-path': Flags.string({ description: 'Path open without a token (repeatable; default /healthz, /readyz).', multiple: true, helpGroup: 'POLICY' }),
    'exclude-paths': Flags.boolean({ description: 'Use --no-exclude-paths for no open path at all.', allowNo: true, default: true, helpGroup: 'POLICY' }),
    'strip-claim-headers': Flags.boolean({ description: 'Generate the EnvoyFilter that strips inbound identity headers (default on).', allowNo: true, default: true, helpGroup: 'POLICY' }),
    'additional-strip-header': Flags.string({ description: 'Another inbound header to strip (repeatable).', multiple: true, helpGroup: 'POLICY' }),
    release: Flags.string({ description: 'Helm release name the resource names derive from.', default: 'omnia' }),
    offline: Flags.boolean({ description: 'No discovery: --jwks-uri is then required.' }),
    'dry-run': Flags.string({ description: 'none: apply; client: print only; server: validate on the server, write nothing.', options: ['none', 'client', 'server'], default: 'none' }),
    diff: Flags.boolean({ description: 'Show the change against the live objects before applying.' }),
    'force-conflicts': Flags.boolean({ description: 'Take over fields another field manager (e.g. Helm) owns.' }),
    'skip-preflight': Flags.boolean({ description: 'Do not check the Istio CRDs and the JWKS first.' }),
    disable: Flags.boolean({ description: 'Delete the objects this plugin manages (managed-by label) in the namespace.' }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask before --disable.' }),
    timeout: Flags.string({ description: 'Time limit for each discovery/JWKS fetch.', default: '5s' }),
    'ca-file': Flags.string({ description: 'PEM CA bundle to trust for discovery and JWKS.' }),
    output: outputFlag(['table', 'yaml', 'json', 'helm-values' as never]),
    ...commonFlags,
    ...kubeFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Apply);
    const format = this.resolveOutput(flags) as string;
    const namespace = flags.namespace ?? 'omnia-system';
    const dryRun = flags['dry-run'] as 'none' | 'client' | 'server';
    const fetchOpts = async () => {
      const { fetchOptions } = await import('../lib/keys.js');
      return fetchOptions({ timeoutMs: this.durationMs('timeout', flags.timeout), ...(flags['ca-file'] ? { caFile: flags['ca-file'] } : {}) });
    };

    if (flags.disable) {
      await this.disable(namespace, flags);
      return;
    }

    // 1. issuer and JWKS
    let issuer = flags.issuer;
    let jwksUri = flags['jwks-uri'];
    if (flags.provider) {
      if (issuer) throw new UsageError('--provider sets the issuer: drop --issuer (or drop --provider)');
      try {
        const p = preset(flags.provider as Provider, {
          ...(flags.domain ? { domain: flags.domain } : {}), ...(flags.realm ? { realm: flags.realm } : {}),
          ...(flags.tenant ? { tenant: flags.tenant } : {}), authorizationServer: flags['authorization-server'],
        });
        issuer = p.issuer;
        jwksUri ??= p.jwksUri;
      } catch (e) {
        if (e instanceof PresetError) throw new UsageError(e.message);
        throw e;
      }
    }
    if (!issuer) throw new UsageError('an issuer is needed: --issuer URL, or --provider with its options', ['kubectl omnia-auth apply --provider auth0 --domain example.eu.auth0.com', 'kubectl omnia-auth apply --issuer https://idp.example.com']);
    if (!jwksUri) {
      if (flags.offline) throw new UsageError('--offline needs --jwks-uri (no discovery)');
      const { fetchDiscovery } = await import('../adapters/http/oidc.js');
      const d = await fetchDiscovery(issuer, await fetchOpts());
      if (!d.ok || !d.document || typeof d.document['jwks_uri'] !== 'string') {
        throw new UnreachableError(`cannot find the JWKS of ${issuer}: discovery at ${d.url} ${d.ok ? `gave ${d.invalid ?? 'no jwks_uri'}` : `failed: ${d.message}`}`, [
          'Pass it: --jwks-uri <url>   (never the chart\'s <issuer>/.well-known/jwks.json guess unless the provider really serves it)',
          ...(d.ok ? [] : ['A private CA? --ca-file <pem>']),
        ], 'discovery');
      }
      jwksUri = d.document['jwks_uri'];
      if (typeof d.document['issuer'] === 'string' && d.document['issuer'] !== issuer) {
        throw new CliError(`the provider's discovery says its issuer is ${JSON.stringify(d.document['issuer'])}, not ${JSON.stringify(issuer)}: every token would get "Jwt issuer is not configured"`, 1, [`--issuer ${d.document['issuer']}`], 'issuer-mismatch');
      }
    }

    // 2. configuration, validated before anything is sent
    const config: AuthConfig = {
      release: flags.release, namespace, issuer, jwksUri, audiences: flags.audience ?? [],
      forwardOriginalToken: flags['forward-original-token'],
      outputClaimToHeaders: (flags['claim-to-header'] ?? []).map((x) => pair(x, '--claim-to-header', 'HEADER=CLAIM')).map(([header, claim]) => ({ header, claim })),
      requiredClaims: (flags['require-claim'] ?? []).map((x) => pair(x, '--require-claim', 'CLAIM=V1,V2')).map(([claim, v]) => ({ claim, values: v.split(',').map((s) => s.trim()) })),
      excludePaths: flags['exclude-paths'] ? (flags['exclude-path'] ?? DEFAULT_EXCLUDE_PATHS) : [],
      stripInboundClaimHeaders: flags['strip-claim-headers'],
      additionalStripHeaders: flags['additional-strip-header'] ?? [],
    };
    if (!flags['exclude-paths'] && flags['exclude-path']?.length) throw new UsageError('--exclude-path and --no-exclude-paths: choose one');
    const problems = process.env['OMNIA_AUTH_SKIP_CLIENT_VALIDATION'] === '1' ? [] : validateConfig(config);
    if (problems.length) {
      throw new UsageError(`invalid configuration:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    }
    const objects = generate(config);

    if (format === 'helm-values') {
      this.print(await (await import('../render/output.js')).toYaml(helmValues(config)));
      return;
    }
    if (dryRun === 'client') {
      await this.printObjects(objects, format === 'json' ? 'json' : 'yaml');
      if (format === 'table') process.stderr.write('(dry run: nothing sent to the cluster)\n');
      return;
    }

    // 3. cluster: preflight, diff, apply
    const apply = await import('../adapters/kube/apply.js');
    const { client } = await this.kube(flags);
    const s = this.style(flags);
    try {
      if (!flags['skip-preflight']) {
        const missing = [];
        for (const gv of ['security.istio.io/v1', ...(config.stripInboundClaimHeaders ? ['networking.istio.io/v1alpha3'] : [])]) {
          if (!(await apply.servesGroupVersion(client, gv))) missing.push(gv);
        }
        if (missing.length) throw new CliError(`the cluster does not serve ${missing.join(', ')}: Istio (its CRDs) is not installed`, 1, ['Install Istio first (istioctl install, or the istio/base chart).', 'kubectl omnia-auth status'], 'no-istio');
        const { probeIssuer } = await import('../lib/jwks-probe.js');
        const probe = await probeIssuer({ issuer, jwksUri, usedBy: [] }, await fetchOpts());
        if (!probe.jwks?.ok) {
          throw new CliError(`preflight: the JWKS at ${jwksUri} is not usable from here: ${probe.jwks?.problem ?? 'not fetched'}`, 1, [probe.jwks?.remedy ?? 'Check --jwks-uri.', 'Skip this check: --skip-preflight'], 'preflight');
        }
      }
      if (flags.diff) {
        const { lineDiff, managedView, sortKeys } = await import('../core/manifests/diff.js');
        const { toYaml } = await import('../render/output.js');
        for (const o of objects) {
          const live = await apply.getLive(client, o);
          const before = live ? await toYaml(sortKeys(managedView(live as never, Object.keys(MANAGED_BY)))) : '';
          const after = await toYaml(sortKeys(managedView(o, Object.keys(MANAGED_BY))));
          const lines = lineDiff(before, after);
          const changed = lines.some((l) => !l.startsWith('  '));
          process.stdout.write(`${s.bold(`--- ${o.kind} ${namespace}/${o.metadata.name}`)} ${live ? (changed ? '(changes)' : '(no change)') : '(new)'}\n`);
          if (changed) process.stdout.write(`${lines.map((l) => (l.startsWith('+') ? s.ok(l) : l.startsWith('-') ? s.fail(l) : s.dim(l))).join('\n')}\n`);
        }
      }
      const results = await apply.serverSideApply(client, objects, { fieldManager: FIELD_MANAGER, force: flags['force-conflicts'], serverDryRun: dryRun === 'server' });
      if (format === 'yaml' || format === 'json') {
        await this.printObjects(objects, format);
        for (const r of results) process.stderr.write(`${r.kind.toLowerCase()}.${r.apiVersion.split('/')[0]}/${r.name} ${r.action}${dryRun === 'server' ? ' (server dry run)' : ''}\n`);
      } else {
        for (const r of results) this.print(`${r.kind.toLowerCase()}.${r.apiVersion.split('/')[0]}/${r.name} ${r.action}${dryRun === 'server' ? ' (server dry run)' : ''}`);
        if (dryRun === 'none') {
          this.print(s.dim(`\nNext: kubectl omnia-auth status -n ${namespace}\n      kubectl omnia-auth check-token "$TOKEN" -n <agents namespace> --agent <agent>`));
        }
      }
    } catch (e) {
      throw conflictError(e) ?? e;
    } finally {
      client.close();
    }
  }

  private async printObjects(objects: K8sObject[], format: 'yaml' | 'json'): Promise<void> {
    if (format === 'json') this.printJson({ apiVersion: 'v1', kind: 'List', items: objects });
    else {
      const { toYaml } = await import('../render/output.js');
      this.print((await Promise.all(objects.map((o) => toYaml(o)))).join('---\n'));
    }
  }

  private async disable(namespace: string, flags: { kubeconfig?: string; context?: string; 'request-timeout': string; yes: boolean; 'dry-run': string }): Promise<void> {
    if (!flags.yes) {
      if (!process.stdin.isTTY) throw new UsageError('--disable deletes resources: confirm with --yes when not on a terminal');
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Delete every RequestAuthentication, AuthorizationPolicy and EnvoyFilter labelled ${Object.entries(MANAGED_BY)[0]!.join('=')} in ${namespace}? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        this.print('nothing deleted');
        return;
      }
    }
    const { deleteLabelled } = await import('../adapters/kube/apply.js');
    const { client } = await this.kube(flags);
    try {
      const selector = Object.entries(MANAGED_BY).map(([k, v]) => `${k}=${v}`).join(',');
      const deleted = await deleteLabelled(client, [
        { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication' }, { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy' },
        { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter' },
      ], namespace, selector);
      if (!deleted.length) this.print(`nothing managed by ${FIELD_MANAGER} in ${namespace}`);
      for (const d of deleted) this.print(`${d.kind.toLowerCase()}/${d.name} deleted`);
    } finally {
      client.close();
    }
  }
}

function pair(v: string, flag: string, form: string): [string, string] {
  const i = v.indexOf('=');
  if (i <= 0) throw new UsageError(`${flag} ${JSON.stringify(v)}: expected ${form}`);
  return [v.slice(0, i).trim(), v.slice(i + 1).trim()];
}

/** A server-side apply conflict, worded with the other manager and the fields it owns. */
function conflictError(e: unknown): CliError | undefined {
  const k = e as { failure?: string; info?: { resource?: string; namespace?: string; name?: string; body?: { details?: { causes?: Array<{ message?: string; field?: string }> } } }; message?: string };
  if (k?.failure !== 'conflict') return undefined;
  const causes = k.info?.body?.details?.causes ?? [];
  const owners = causes.map((c) => [c.message, c.field].filter(Boolean).join(': ')).filter(Boolean);
  const what = `${k.info?.resource ?? 'object'} ${k.info?.namespace ? `${k.info.namespace}/` : ''}${k.info?.name ?? ''}`;
  return new CliError(`apply conflict on ${what}: ${owners.length ? owners.join('; ') : k.message}`, 1, [
    'Another field manager (for example Helm) owns these fields. Take them over: --force-conflicts',
    'Or change them where they are managed (e.g. helm upgrade with the values from -o helm-values).',
  ], 'conflict');
}
