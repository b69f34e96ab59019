// Reads what decides an agent's authentication: one list call per kind and namespace scope,
// all in parallel (never one call per pod). A forbidden read or an API the server does not
// serve is recorded, not fatal; unreachable, unauthorized and timeouts are.
import {
  emptySet, toAuthorizationPolicy, toEnvoyFilter, toPod, toRequestAuthentication, toTelemetry, type ObjectSet,
} from '../../core/istio/model.js';
import { KubeApiError } from './errors.js';
import { listObjects, resourceName, type KubeClient, type ResourceType } from './client.js';

export interface GatherOptions {
  /** 'all' for -A. */
  namespaces: string[] | 'all';
  rootNamespace: string;
  podSelector: string;
  /** Skip pods (check-token without targets needs only policies). */
  pods?: boolean;
  /** Only the pod with this name (check-token --pod). */
  podName?: string;
}

export interface Gathered {
  set: ObjectSet;
  missingApis: string[];
  forbidden: Array<{ verb: string; resource: string; namespace?: string }>;
  podsComplete: boolean;
  meshAccessLog?: boolean;
}

type Kind = 'RequestAuthentication' | 'AuthorizationPolicy' | 'EnvoyFilter' | 'Telemetry';

const VERSIONS: Record<Kind, ResourceType[]> = {
  RequestAuthentication: [{ group: 'security.istio.io', version: 'v1', plural: 'requestauthentications' }, { group: 'security.istio.io', version: 'v1beta1', plural: 'requestauthentications' }],
  AuthorizationPolicy: [{ group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies' }, { group: 'security.istio.io', version: 'v1beta1', plural: 'authorizationpolicies' }],
  EnvoyFilter: [{ group: 'networking.istio.io', version: 'v1alpha3', plural: 'envoyfilters' }],
  Telemetry: [{ group: 'telemetry.istio.io', version: 'v1', plural: 'telemetries' }, { group: 'telemetry.istio.io', version: 'v1alpha1', plural: 'telemetries' }],
};

const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods' };

export async function gatherCluster(client: KubeClient, opts: GatherOptions): Promise<Gathered> {
  const out: Gathered = { set: emptySet(), missingApis: [], forbidden: [], podsComplete: true };
  const scopes: Array<string | undefined> = opts.namespaces === 'all' ? [undefined] : [...new Set([...opts.namespaces, opts.rootNamespace])];
  const podScopes: Array<string | undefined> = opts.namespaces === 'all' ? [undefined] : [...new Set(opts.namespaces)];

  const listKind = async (kind: Kind) => {
    const versions = VERSIONS[kind];
    for (let i = 0; i < versions.length; i++) {
      const t = versions[i]!;
      try {
        const lists = await Promise.all(scopes.map(async (ns) => {
          try {
            return await listObjects(client, t, ns ? { namespace: ns } : {});
          } catch (e) {
            if (e instanceof KubeApiError && e.failure === 'forbidden') {
              out.forbidden.push({ verb: 'list', resource: resourceName(t), ...(ns ? { namespace: ns } : {}) });
              return [];
            }
            throw e;
          }
        }));
        const apiVersion = `${t.group}/${t.version}`;
        for (const raw of lists.flat()) {
          const o = { apiVersion, kind, ...raw };
          if (kind === 'RequestAuthentication') out.set.requestAuthentications.push(toRequestAuthentication(o));
          else if (kind === 'AuthorizationPolicy') out.set.authorizationPolicies.push(toAuthorizationPolicy(o));
          else if (kind === 'EnvoyFilter') out.set.envoyFilters.push(toEnvoyFilter(o));
          else out.set.telemetries.push(toTelemetry(o));
        }
        return;
      } catch (e) {
        if (e instanceof KubeApiError && e.failure === 'not-found') {
          if (i === versions.length - 1) out.missingApis.push(resourceName(t));
          continue;
        }
        throw e;
      }
    }
  };

  const listPods = async () => {
    const lists = await Promise.all(podScopes.map(async (ns) => {
      try {
        return await listObjects(client, PODS, { ...(ns ? { namespace: ns } : {}), labelSelector: opts.podSelector, ...(opts.podName ? { fieldSelector: `metadata.name=${opts.podName}` } : {}) });
      } catch (e) {
        if (e instanceof KubeApiError && e.failure === 'forbidden') {
          out.forbidden.push({ verb: 'list', resource: 'pods', ...(ns ? { namespace: ns } : {}) });
          out.podsComplete = false;
          return [];
        }
        throw e;
      }
    }));
    for (const raw of lists.flat()) out.set.pods.push(toPod(raw));
  };

  const meshConfig = async () => {
    try {
      const cm = await client.json<{ data?: Record<string, string> }>({ path: `/api/v1/namespaces/${opts.rootNamespace}/configmaps/istio`, verb: 'get', resource: 'configmaps', namespace: opts.rootNamespace });
      const mesh = cm.data?.['mesh'];
      if (mesh !== undefined) {
        const { parse } = await import('yaml');
        const m = (parse(mesh) ?? {}) as Record<string, unknown>;
        out.meshAccessLog = typeof m['accessLogFile'] === 'string' && m['accessLogFile'] !== '';
      }
    } catch (e) {
      if (!(e instanceof KubeApiError) || !['forbidden', 'not-found'].includes(e.failure)) throw e;
    }
  };

  await Promise.all([
    listKind('RequestAuthentication'), listKind('AuthorizationPolicy'), listKind('EnvoyFilter'), listKind('Telemetry'),
    ...(opts.pods === false ? [] : [listPods()]), meshConfig(),
  ]);
  const byName = <T extends { namespace: string; name: string }>(a: T, b: T) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
  out.set.requestAuthentications.sort(byName);
  out.set.authorizationPolicies.sort(byName);
  out.set.envoyFilters.sort(byName);
  out.set.telemetries.sort(byName);
  out.set.pods.sort(byName);
  return out;
}
