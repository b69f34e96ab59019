// Server-side apply of a set of objects, all-or-nothing as far as the API allows: every
// object is first applied with dryRun=All, and only when all pass is any written. Reports
// created / configured / unchanged per object, as kubectl does.
import { collectionPath, type KubeClient, type ResourceType } from './client.js';
import { KubeApiError } from './errors.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  action: ApplyAction;
  /** resourceVersion / generation before and after (for tests and --diff). */
  before?: { resourceVersion: string; generation?: number };
  after?: { resourceVersion: string; generation?: number };
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace: string } };

const PLURALS: Record<string, string> = {
  RequestAuthentication: 'requestauthentications', AuthorizationPolicy: 'authorizationpolicies', EnvoyFilter: 'envoyfilters', Telemetry: 'telemetries',
};

export function typeOf(o: { apiVersion: string; kind: string }): ResourceType {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') as [string, string] : ['', o.apiVersion];
  const plural = PLURALS[o.kind];
  if (!plural) throw new Error(`no resource mapping for kind ${o.kind}`);
  return { group, version, plural };
}

export function objectPath(o: Obj): string {
  return `${collectionPath(typeOf(o), o.metadata.namespace)}/${encodeURIComponent(o.metadata.name)}`;
}

export const resourceOf = (o: Obj) => { const t = typeOf(o); return `${t.plural}.${t.group}`; };

type Live = { metadata: { resourceVersion: string; generation?: number; managedFields?: unknown[]; labels?: Record<string, string> }; spec?: unknown } & Record<string, unknown>;

export async function getLive(client: KubeClient, o: Obj): Promise<Live | undefined> {
  try {
    return await client.json<Live>({ path: objectPath(o), verb: 'get', resource: resourceOf(o), namespace: o.metadata.namespace });
  } catch (e) {
    if (e instanceof KubeApiError && e.failure === 'not-found') return undefined;
    throw e;
  }
}

async function applyOne(client: KubeClient, o: Obj, fieldManager: string, opts: { dryRun: boolean; force: boolean }): Promise<Live> {
  return client.json<Live>({
    method: 'PATCH', path: objectPath(o),
    query: { fieldManager, force: opts.force ? 'true' : undefined, ...(opts.dryRun ? { dryRun: 'All' } : {}) },
    body: JSON.stringify(o), contentType: 'application/apply-patch+yaml',
    verb: 'patch', resource: resourceOf(o), namespace: o.metadata.namespace, name: o.metadata.name,
  });
}

export interface ApplyOptions {
  fieldManager: string;
  force: boolean;
  /** Only the dry run (kubectl's --dry-run=server). */
  serverDryRun: boolean;
}

export async function serverSideApply(client: KubeClient, objects: Obj[], opts: ApplyOptions): Promise<ApplyResult[]> {
  const live = await Promise.all(objects.map((o) => getLive(client, o)));
  // Validate everything first: a rejection leaves nothing half-applied.
  const dry = [];
  for (const o of objects) dry.push(await applyOne(client, o, opts.fieldManager, { dryRun: true, force: opts.force }));
  const results: ApplyResult[] = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const before = live[i];
    const after = opts.serverDryRun ? dry[i]! : await applyOne(client, o, opts.fieldManager, { dryRun: false, force: opts.force });
    const same = opts.serverDryRun
      // a dry run does not persist, so the resourceVersion cannot tell: compare what it would store
      ? JSON.stringify(before?.['spec']) === JSON.stringify(after['spec']) && JSON.stringify(before?.metadata.labels) === JSON.stringify(after.metadata.labels)
      : before?.metadata.resourceVersion === after.metadata.resourceVersion;
    const action: ApplyAction = !before ? 'created' : same ? 'unchanged' : 'configured';
    results.push({
      kind: o.kind, apiVersion: o.apiVersion, namespace: o.metadata.namespace, name: o.metadata.name, action,
      ...(before ? { before: { resourceVersion: before.metadata.resourceVersion, ...(before.metadata.generation !== undefined ? { generation: before.metadata.generation } : {}) } } : {}),
      after: { resourceVersion: after.metadata.resourceVersion, ...(after.metadata.generation !== undefined ? { generation: after.metadata.generation } : {}) },
    });
  }
  return results;
}

/** Delete the objects of these kinds that carry the label selector, in one namespace. */
export async function deleteLabelled(client: KubeClient, kinds: Array<{ apiVersion: string; kind: string }>, namespace: string, labelSelector: string): Promise<Array<{ kind: string; name: string }>> {
  const deleted: Array<{ kind: string; name: string }> = [];
  for (const k of kinds) {
    const t = typeOf(k);
    let items: Array<{ metadata: { name: string } }> = [];
    try {
      items = (await client.json<{ items: Array<{ metadata: { name: string } }> }>({ path: collectionPath(t, namespace), query: { labelSelector }, verb: 'list', resource: `${t.plural}.${t.group}`, namespace })).items;
    } catch (e) {
      if (e instanceof KubeApiError && e.failure === 'not-found') continue;
      throw e;
    }
    for (const it of items) {
      await client.json({ method: 'DELETE', path: `${collectionPath(t, namespace)}/${encodeURIComponent(it.metadata.name)}`, verb: 'delete', resource: `${t.plural}.${t.group}`, namespace });
      deleted.push({ kind: k.kind, name: it.metadata.name });
    }
  }
  return deleted;
}

/** Whether the server serves an API group/version (the CRDs are installed). */
export async function servesGroupVersion(client: KubeClient, apiVersion: string): Promise<boolean> {
  try {
    await client.json({ path: `/apis/${apiVersion}`, verb: 'get', resource: apiVersion });
    return true;
  } catch (e) {
    if (e instanceof KubeApiError && e.failure === 'not-found') return false;
    throw e;
  }
}
