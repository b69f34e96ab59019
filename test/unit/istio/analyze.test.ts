// One case that fires and one that does not, per analyzer (findings catalogue OA0001-OA0018).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ANALYZERS, buildStatusReport, runAnalyzers, type Snapshot } from '../../../src/core/istio/analyze.js';
import { sortObjects, type ObjectSet } from '../../../src/core/istio/model.js';

const fixture = parseAllDocuments(readFileSync(new URL('../../fixtures/chart-omnia.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
const telemetry = { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] } };

function snap(objects: unknown[], extra: Partial<Snapshot> = {}): Snapshot {
  const set: ObjectSet = sortObjects(objects, 'omnia-system');
  return {
    rootNamespace: 'istio-system', scope: 'test', podSelector: 'omnia.altairalabs.ai/component=agent', ...set,
    missingApis: [], forbidden: [], jwksProbes: [], podsComplete: true, ...extra,
  };
}
const clone = <T>(x: T): T => structuredClone(x);
const codes = (s: Snapshot) => runAnalyzers(s).map((f) => f.code);
const base = () => [...clone(fixture), clone(telemetry)];
const edit = (objs: any[], name: string, fn: (o: any) => void) => {
  const o = objs.find((x) => x.metadata?.name === name);
  fn(o);
  return objs;
};

describe('the chart layout with access logging is clean', () => {
  it('no findings', () => expect(codes(snap(base()))).toEqual([]));
  it('every analyzer declares codes that the one catalogue defines, and every catalogue code has an analyzer', async () => {
    const { CATALOGUE } = await import('../../../src/core/findings.js');
    const declared = ANALYZERS.flatMap((a) => a.codes);
    for (const code of declared) expect(CATALOGUE).toHaveProperty(code);
    expect(Object.keys(CATALOGUE).filter((c) => c !== 'OA0099' && !declared.includes(c))).toEqual([]);
  });
});

describe('analyzers: fires / does not fire', () => {
  it('OA0001 CRDs missing', () => {
    expect(codes(snap(base(), { missingApis: ['requestauthentications.security.istio.io'] }))).toContain('OA0001');
  });
  it('OA0002 pod without sidecar', () => {
    const objs = edit(base(), 'support-bot-1', (p) => (p.spec.containers = [{ name: 'agent' }]));
    const f = runAnalyzers(snap(objs)).filter((x) => x.code === 'OA0002');
    expect(f.map((x) => x.subject.name)).toEqual(['support-bot-1']);
    expect(f[0]!.severity).toBe('error');
  });
  it('OA0002 not for a native sidecar (initContainer with restartPolicy Always)', () => {
    const objs = edit(base(), 'support-bot-1', (p) => {
      p.spec.containers = [{ name: 'agent' }];
      p.spec.initContainers = [{ name: 'istio-proxy', restartPolicy: 'Always' }];
    });
    expect(codes(snap(objs))).not.toContain('OA0002');
  });
  it('OA0003 RequestAuthentication without any policy requiring a token', () => {
    const objs = base().filter((o: any) => o.kind !== 'AuthorizationPolicy');
    const f = runAnalyzers(snap(objs)).filter((x) => x.code === 'OA0003');
    expect(f).toHaveLength(1); // one per agent, not per pod
    expect(f[0]!.message).toContain('a request without any token to /ws is allowed');
  });
  it('OA0003 not when only the DENY policy is there', () => {
    const objs = base().filter((o: any) => o.metadata.name !== 'omnia-agent-require-jwt');
    expect(codes(snap(objs))).not.toContain('OA0003');
  });
  it('OA0004 principal required but no RequestAuthentication', () => {
    const objs = base().filter((o: any) => o.kind !== 'RequestAuthentication');
    const f = runAnalyzers(snap(objs)).filter((x) => x.code === 'OA0004');
    expect(f.map((x) => x.subject.name).sort()).toEqual(['omnia-agent-deny-unauthenticated', 'omnia-agent-require-jwt']);
  });
  it('OA0004 not when a root-namespace RequestAuthentication covers the pods', () => {
    const objs = edit(base(), 'omnia-agent-jwt', (r) => (r.metadata.namespace = 'istio-system'));
    expect(codes(snap(objs))).not.toContain('OA0004');
  });
  it('OA0005 / OA0006 selectors that select nothing', () => {
    let objs = edit(base(), 'omnia-agent-jwt', (r) => (r.spec.selector.matchLabels = { 'omnia.altairalabs.ai/component': 'agents' }));
    objs = edit(objs, 'omnia-agent-deny-unauthenticated', (p) => (p.spec.selector.matchLabels = { app: 'agent' }));
    const c = codes(snap(objs));
    expect(c).toContain('OA0005');
    expect(c).toContain('OA0006');
  });
  it('OA0005 not when the pod list is incomplete (forbidden)', () => {
    const objs = edit(base(), 'omnia-agent-jwt', (r) => (r.spec.selector.matchLabels = { x: 'y' }));
    expect(codes(snap(objs, { podsComplete: false }))).not.toContain('OA0005');
  });
  it('OA0007 / OA0008 / OA0009 from JWKS probes', () => {
    const s = snap(base(), {
      jwksProbes: [{
        issuer: 'https://idp.example.com/', usedBy: [{ namespace: 'omnia-system', name: 'omnia-agent-jwt' }],
        configuredJwksUri: 'https://idp.example.com//.well-known/jwks.json',
        discovery: { ok: true, url: 'x', issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/keys' },
        jwks: { ok: false, uri: 'https://idp.example.com//.well-known/jwks.json', keys: 0, problem: 'HTTP 404' },
      }],
    });
    const f = runAnalyzers(s);
    expect(f.map((x) => x.code)).toEqual(expect.arrayContaining(['OA0007', 'OA0008', 'OA0009']));
    expect(f.find((x) => x.code === 'OA0009')!.message).toContain('doubled slash');
  });
  it('no JWKS findings for a healthy probe', () => {
    const s = snap(base(), {
      jwksProbes: [{
        issuer: 'https://idp.example.com/', usedBy: [{ namespace: 'omnia-system', name: 'omnia-agent-jwt' }], configuredJwksUri: 'https://idp.example.com/keys',
        discovery: { ok: true, url: 'x', issuer: 'https://idp.example.com/', jwksUri: 'https://idp.example.com/keys' }, jwks: { ok: true, uri: 'https://idp.example.com/keys', keys: 2 },
      }],
    });
    expect(codes(s)).toEqual([]);
  });
  it('OA0010 without the strip EnvoyFilter', () => {
    const objs = base().filter((o: any) => o.kind !== 'EnvoyFilter');
    const f = runAnalyzers(snap(objs)).find((x) => x.code === 'OA0010')!;
    expect(f.message).toContain('x-user-email, x-user-id, x-user-roles');
  });
  it('OA0010 when an outputClaimToHeaders header is not stripped', () => {
    const objs = edit(base(), 'omnia-agent-jwt', (r) => r.spec.jwtRules[0].outputClaimToHeaders.push({ header: 'X-Tenant', claim: 'tenant' }));
    expect(runAnalyzers(snap(objs)).find((x) => x.code === 'OA0010')!.message).toContain('headers x-tenant reach');
  });
  it('OA0011 open paths differ', () => {
    const objs = edit(base(), 'omnia-agent-deny-unauthenticated', (p) => (p.spec.rules[0].to[0].operation.notPaths = ['/healthz']));
    const f = runAnalyzers(snap(objs)).find((x) => x.code === 'OA0011')!;
    expect(f.message).toContain('/readyz without a token is still denied by the DENY policy');
  });
  it('OA0012 a scope value with a space, and an unknown key', () => {
    const objs = edit(base(), 'omnia-agent-require-jwt', (p) => {
      p.spec.rules[1].when = [{ key: 'request.auth.claims[scope]', values: ['openid agents:access'] }, { key: 'request.auth.claim[role]', values: ['x'] }];
    });
    const f = runAnalyzers(snap(objs)).filter((x) => x.code === 'OA0012');
    expect(f).toHaveLength(2);
    expect(f.map((x) => x.message).join('\n')).toMatch(/contains a space.*can never match/);
    expect(f.map((x) => x.message).join('\n')).toMatch(/not one Istio knows/);
  });
  it('OA0012 not for a space in a claim that is not space-delimited', () => {
    const objs = edit(base(), 'omnia-agent-require-jwt', (p) => (p.spec.rules[1].when = [{ key: 'request.auth.claims[name]', values: ['Ada Lovelace'] }]));
    expect(codes(snap(objs))).not.toContain('OA0012');
  });
  it('OA0013 access logging off; on through meshConfig', () => {
    expect(codes(snap(clone(fixture)))).toContain('OA0013');
    expect(codes(snap(clone(fixture), { meshAccessLog: true }))).not.toContain('OA0013');
  });
  it('OA0013 a namespace Telemetry that disables logging wins over the mesh one', () => {
    const objs = [...base(), { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'off', namespace: 'omnia-system' }, spec: { accessLogging: [{ disabled: true }] } }];
    expect(codes(snap(objs))).toContain('OA0013');
  });
  it('OA0014 v1beta1', () => {
    const objs = edit(base(), 'omnia-agent-jwt', (r) => (r.apiVersion = 'security.istio.io/v1beta1'));
    expect(codes(snap(objs))).toEqual(['OA0014']);
  });
  it('OA0015 two RequestAuthentications, one issuer, same pods', () => {
    const dup = edit([clone(fixture[0])], 'omnia-agent-jwt', (r) => (r.metadata.name = 'old-omnia-jwt-auth'));
    expect(codes(snap([...base(), ...dup]))).toContain('OA0015');
  });
  it('OA0016 no audiences', () => {
    const objs = edit(base(), 'omnia-agent-jwt', (r) => delete r.spec.jwtRules[0].audiences);
    expect(codes(snap(objs))).toEqual(['OA0016']);
  });
  it('OA0017 forbidden reads; OA0018 no agent pods', () => {
    const c = codes(snap(base().filter((o: any) => o.kind !== 'Pod'), { forbidden: [{ verb: 'list', resource: 'envoyfilters.networking.istio.io', namespace: 'omnia-system' }] }));
    expect(c).toContain('OA0017');
    expect(c).toContain('OA0018');
  });
  it('an analyzer that throws becomes OA0099, not a crash', () => {
    const boom = [{ name: 'boom', codes: ['X'], run: () => { throw new Error('kaput'); } }];
    expect(runAnalyzers(snap(base()), boom)).toEqual([expect.objectContaining({ code: 'OA0099', severity: 'error', message: 'the boom check failed: kaput' })]);
  });
});

describe('status report contract', () => {
  it('describes policies in words and links workloads', () => {
    const r = buildStatusReport(snap(base()));
    expect(r.authorizationPolicies.find((p) => p.name === 'omnia-agent-deny-unauthenticated')!.description).toEqual(['DENY when the request has no principal, except /healthz, /readyz']);
    expect(r.authorizationPolicies.find((p) => p.name === 'omnia-agent-require-jwt')!.description).toEqual([
      'ALLOW on /healthz, /readyz (rule 0)', 'ALLOW with a principal and scope in {agents:access} (rule 1)',
    ]);
    expect(r.workloads[0]).toMatchObject({ agent: 'support-bot', sidecar: true, requestAuthentications: ['omnia-system/omnia-agent-jwt'], accessLogging: true });
    expect(Object.keys(r)).toEqual(['scope', 'findings', 'requestAuthentications', 'authorizationPolicies', 'workloads', 'jwks']);
  });
});
