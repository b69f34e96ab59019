import { Flags } from '@oclif/core';
import { AGENT_INSTANCE_LABEL, AGENT_LABEL, AGENT_LABEL_VALUE, DEFAULT_ROOT_NAMESPACE, sortObjects } from '../core/istio/model.js';
import { buildStatusReport, type Snapshot } from '../core/istio/analyze.js';
import { atOrAbove, type Severity } from '../core/findings.js';
import { readStdin } from '../lib/stdin.js';
import { BaseCommand, commonFlags, kubeFlags, outputFlag } from '../lib/base.js';
import { UsageError } from '../lib/errors.js';
import { renderStatus } from '../render/status.js';
import { toYaml } from '../render/output.js';

export default class Status extends BaseCommand {
  static override summary = 'What authentication is configured for the agents, what it applies to, and what is wrong.';

  static override description = `Reads the RequestAuthentications, AuthorizationPolicies, EnvoyFilters and Telemetry
resources and the agent pods (one list call per kind, in parallel), says in plain words what
happens to a request, and reports findings with stable codes (OA0001...) and remedies.
With -f it analyses manifests instead of a cluster, like istioctl analyze.

Exit codes: 0 no finding at or above --fail-on, 1 otherwise, 2 usage error, 3 the cluster
cannot be reached or authenticated.`;

  static override examples = [
    { description: 'The agents in the current namespace (or omnia-system):', command: 'kubectl omnia-auth status' },
    { description: 'Every namespace, JSON for CI, failing on warnings too:', command: 'kubectl omnia-auth status -A -o json --fail-on warning' },
    { description: 'One agent:', command: 'kubectl omnia-auth status -n agents --agent support-bot' },
    { description: 'Manifests before they are applied (offline):', command: 'helm template omnia omnia/omnia -f values.yaml | kubectl omnia-auth status -f -' },
  ];

  static override flags = {
    'all-namespaces': Flags.boolean({ char: 'A', description: 'Every namespace.' }),
    selector: Flags.string({ char: 'l', description: `Label selector for agent pods (default ${AGENT_LABEL}=${AGENT_LABEL_VALUE}).` }),
    agent: Flags.string({ description: `One agent: pods with ${AGENT_INSTANCE_LABEL}=NAME.` }),
    filename: Flags.string({ char: 'f', description: 'Analyse manifests instead of the cluster: a file, a directory, or - for stdin (repeatable).', multiple: true }),
    'check-jwks': Flags.boolean({ description: 'Fetch discovery and JWKS per issuer from this machine (default: on with a cluster, off with -f).', allowNo: true }),
    'fail-on': Flags.string({ description: 'Exit 1 when a finding has at least this severity.', options: ['error', 'warning', 'info', 'none'], default: 'error' }),
    'root-namespace': Flags.string({ description: "Istio's root namespace (mesh-wide policies).", default: DEFAULT_ROOT_NAMESPACE }),
    timeout: Flags.string({ description: 'Time limit for each discovery/JWKS fetch.', default: '5s' }),
    'ca-file': Flags.string({ description: 'PEM CA bundle to trust for discovery and JWKS.' }),
    output: outputFlag(['table', 'wide', 'json', 'yaml']),
    ...commonFlags,
    ...kubeFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const format = this.resolveOutput(flags);
    if (flags['all-namespaces'] && flags.namespace) throw new UsageError('use either -n or -A, not both');
    const selector = [flags.selector ?? `${AGENT_LABEL}=${AGENT_LABEL_VALUE}`, ...(flags.agent ? [`${AGENT_INSTANCE_LABEL}=${flags.agent}`] : [])].join(',');
    const root = flags['root-namespace'];
    const fetchTimeout = this.durationMs('timeout', flags.timeout);

    let snapshot: Snapshot;
    if (flags.filename?.length) {
      const { readManifests } = await import('../adapters/files.js');
      const { objects, files } = await readManifests(flags.filename, readStdin);
      const set = sortObjects(objects, flags.namespace ?? 'default');
      const { labelsMatchSelector } = await import('../core/istio/selector-string.js');
      set.pods = set.pods.filter((p) => labelsMatchSelector(selector, p.labels) && (flags['all-namespaces'] || !flags.namespace || p.namespace === flags.namespace));
      snapshot = {
        rootNamespace: root, scope: `manifests ${files.join(', ')}`, podSelector: selector, ...set, missingApis: [], forbidden: [], jwksProbes: [], podsComplete: true,
      };
    } else {
      const { gatherCluster } = await import('../adapters/kube/snapshot.js');
      const { target, client } = await this.kube(flags);
      const namespace = flags.namespace ?? target.namespace ?? 'omnia-system';
      this.progress(`reading ${flags['all-namespaces'] ? 'all namespaces' : namespace} from ${target.contextName}...`);
      try {
        const g = await gatherCluster(client, { namespaces: flags['all-namespaces'] ? 'all' : [namespace], rootNamespace: root, podSelector: selector });
        snapshot = {
          rootNamespace: root, scope: flags['all-namespaces'] ? 'all namespaces' : `namespace ${namespace} (and ${root} for mesh-wide policies)`,
          podSelector: selector, ...g.set, missingApis: g.missingApis, forbidden: g.forbidden, jwksProbes: [], podsComplete: g.podsComplete,
          ...(g.meshAccessLog !== undefined ? { meshAccessLog: g.meshAccessLog } : {}),
        };
      } finally {
        client.close();
      }
    }

    const checkJwks = flags['check-jwks'] ?? !flags.filename?.length;
    if (checkJwks && snapshot.requestAuthentications.length) {
      const { probeIssuer, issuerUses } = await import('../lib/jwks-probe.js');
      const { fetchOptions } = await import('../lib/keys.js');
      const opts = await fetchOptions({ timeoutMs: fetchTimeout, ...(flags['ca-file'] ? { caFile: flags['ca-file'] } : {}) });
      this.progress(`fetching discovery and JWKS for ${snapshot.requestAuthentications.length} RequestAuthentication(s)...`);
      snapshot.jwksProbes = await Promise.all(issuerUses(snapshot.requestAuthentications).filter((u) => u.issuer).map((u) => probeIssuer(u, opts)));
    }

    const report = buildStatusReport(snapshot);
    if (format === 'json') this.printJson(report);
    else if (format === 'yaml') this.print(await toYaml(report));
    else this.print(renderStatus(report, this.style(flags), { width: this.width(), wide: format === 'wide' }));
    const failOn = flags['fail-on'] as Severity | 'none';
    this.setExit(report.findings.some((f) => atOrAbove(f, failOn)) ? 1 : 0);
  }
}

