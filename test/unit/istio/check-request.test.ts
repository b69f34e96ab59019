// The Omnia chart's three-policy layout, request by request (issue: policy-aware check-token).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkRequest, chooseTarget, claimHeaders, pickJwtRule, ruleReadsLocation, type RequestShape } from '../../../src/core/istio/check-request.js';
import { sortObjects } from '../../../src/core/istio/model.js';
import { appliesTo } from '../../../src/core/istio/select.js';
import { jwksOf, makeKey, signed } from '../../support/tokens.js';

const NOW = 1_800_000_000;
const set = sortObjects(parseAllDocuments(readFileSync(new URL('../../fixtures/chart-omnia.yaml', import.meta.url), 'utf8')).map((d) => d.toJS()), 'omnia-system');
const pod = set.pods[0]!;
const ras = set.requestAuthentications.filter((r) => appliesTo(r, pod, 'istio-system'));
const aps = set.authorizationPolicies.filter((a) => appliesTo(a, pod, 'istio-system'));
const key = makeKey('RS256', 'k1');
const ISS = 'https://idp.example.com/';
const AUD = 'https://agents.example.com';
const tok = (claims: Record<string, unknown> = {}) => signed(key, { iss: ISS, sub: 'user-1', aud: AUD, scope: 'openid agents:access', exp: NOW + 600, ...claims });

function run(token: string, request: Partial<RequestShape> = {}, noToken = false) {
  const pick = pickJwtRule(noToken ? '' : token, ras);
  return checkRequest({
    token: noToken ? '' : token, tokenSource: 'raw', noToken, request: { path: '/ws', method: 'GET', tokenLocation: 'header', ...request },
    workload: 'omnia-system/support-bot-0', ras, aps, pick, keySource: { mode: 'jwks-file', jwks: { source: 'test', text: jwksOf(key) } },
    now: NOW, timeoutMs: 5000, extraChecks: [],
  });
}

describe('the chart layout', () => {
  it('no token on /ws: 403 by the DENY policy', () => {
    const r = run('', {}, true);
    expect(r).toMatchObject({ allowed: false, httpStatus: 403, body: 'RBAC: access denied', jwtStatus: 'Jwt is missing' });
    expect(r.decision).toMatchObject({ stage: 'authorization', action: 'DENY', policy: 'omnia-system/omnia-agent-deny-unauthenticated', rule: 0 });
    expect(r.responseCodeDetails).toBe('rbac_access_denied_matched_policy[ns[omnia-system]-policy[omnia-agent-deny-unauthenticated]-rule[0]]');
  });
  it('no token on /healthz: allowed by ALLOW rule 0', () => {
    const r = run('', { path: '/healthz' }, true);
    expect(r).toMatchObject({ allowed: true, httpStatus: 200 });
    expect(r.decision).toMatchObject({ action: 'ALLOW', policy: 'omnia-system/omnia-agent-require-jwt', rule: 0 });
  });
  it('a valid token with scope containing the value: allowed by rule 1, claim headers for the agent', () => {
    const r = run(tok());
    expect(r).toMatchObject({ allowed: true, httpStatus: 200, jwtStatus: 'OK', authorizationForwarded: true, upstreamHeaders: { 'x-user-id': 'user-1' } });
    expect(r.decision).toMatchObject({ action: 'ALLOW', rule: 1 });
  });
  it('a valid token without sub: 403 (no principal: the DENY policy matches)', () => {
    const t = tok({ sub: undefined });
    const r = run(t);
    expect(r).toMatchObject({ allowed: false, httpStatus: 403, jwtStatus: 'OK' });
    expect(r.decision.action).toBe('DENY');
  });
  it('required claim missing: 403, no ALLOW rule matched, saying what rule 1 needs', () => {
    const r = run(tok({ scope: 'openid profile' }));
    expect(r).toMatchObject({ allowed: false, httpStatus: 403, responseCodeDetails: 'rbac_access_denied_matched_policy[none]' });
    expect(r.decision).toMatchObject({ action: 'ALLOW', policy: null });
    expect(r.decision.summary).toContain('no rule of ALLOW policy omnia-system/omnia-agent-require-jwt matched');
    expect(r.decision.summary).toContain('rule 1 needs request.auth.claims[scope] in {agents:access}: the token has scope "openid profile"');
  });
  it('wrong issuer: 401 Jwt issuer is not configured', () => {
    const r = run(tok({ iss: 'https://evil.example.com/' }));
    expect(r).toMatchObject({ allowed: false, httpStatus: 401, jwtStatus: 'Jwt issuer is not configured', body: 'Jwt issuer is not configured' });
    expect(r.decision.stage).toBe('jwt');
  });
  it('audience not allowed: 403 from jwt_authn, not RBAC', () => {
    const r = run(tok({ aud: 'https://other.example.com' }));
    expect(r).toMatchObject({ allowed: false, httpStatus: 403, body: 'Audiences in Jwt are not allowed', responseCodeDetails: 'jwt_authn_access_denied{Audiences_in_Jwt_are_not_allowed}' });
    expect(r.decision.stage).toBe('jwt');
  });
  it('an expired token: 401 even on /healthz (jwt_authn runs first)', () => {
    expect(run(tok({ exp: NOW - 3600 }), { path: '/healthz' })).toMatchObject({ httpStatus: 401, jwtStatus: 'Jwt is expired' });
  });
  it('a CORS preflight skips jwt_authn but meets the DENY policy: 403', () => {
    const r = run(tok(), { method: 'OPTIONS', origin: 'https://app.example.com' });
    expect(r).toMatchObject({ allowed: false, httpStatus: 403 });
    expect(r.decision.action).toBe('DENY');
    expect(r.request.corsPreflight).toBe(true);
  });
  it('the token in the query parameter works with the default locations', () => {
    expect(run(tok(), { tokenLocation: 'query' }).allowed).toBe(true);
  });
});

describe('jwtRule selection and locations', () => {
  it('the token iss picks the rule among several', () => {
    const two = sortObjects([{ kind: 'RequestAuthentication', metadata: { name: 'a', namespace: 'n' }, spec: { jwtRules: [{ issuer: 'https://a' }, { issuer: ISS }] } }], 'n').requestAuthentications;
    const p = pickJwtRule(tok(), two);
    expect(p.kind === 'rule' && p.ruleIndex).toBe(1);
  });
  it('custom fromHeaders replace the defaults: the query parameter is not read', () => {
    const r = sortObjects([{ kind: 'RequestAuthentication', metadata: { name: 'a', namespace: 'n' }, spec: { jwtRules: [{ issuer: ISS, fromHeaders: [{ name: 'x-jwt' }] }] } }], 'n').requestAuthentications[0]!.jwtRules[0]!;
    expect(ruleReadsLocation(r, 'query')).toBe(false);
    expect(ruleReadsLocation(r, 'header')).toBe(false);
  });
  it('outputClaimToHeaders: strings, numbers, booleans; nested; arrays skipped; absent cleared', () => {
    const rule = sortObjects([{ kind: 'RequestAuthentication', metadata: { name: 'a', namespace: 'n' }, spec: { jwtRules: [{ issuer: ISS, outputClaimToHeaders: [
      { header: 'X-Sub', claim: 'sub' }, { header: 'x-n', claim: 'n' }, { header: 'x-b', claim: 'b' }, { header: 'x-team', claim: 'org.team' }, { header: 'x-roles', claim: 'roles' }, { header: 'x-gone', claim: 'gone' },
    ] }] } }], 'n').requestAuthentications[0]!.jwtRules[0]!;
    expect(claimHeaders(rule, { sub: 'u', n: 42, b: true, org: { team: 'core' }, roles: ['a'] })).toEqual({ 'x-sub': 'u', 'x-n': '42', 'x-b': 'true', 'x-team': 'core', 'x-roles': null, 'x-gone': null });
  });
});

describe('chooseTarget', () => {
  it('evaluates the first pod and warns when another pod has other policies', () => {
    const other = { ...set.pods[1]!, labels: { ...set.pods[1]!.labels, 'omnia.altairalabs.ai/component': 'tool' } };
    const t = chooseTarget([set.pods[0]!, other], set, 'istio-system');
    expect(t.pod.name).toBe('support-bot-0');
    expect(t.ras.map((r) => r.name)).toEqual(['omnia-agent-jwt']);
    expect(t.checks[0]).toMatchObject({ id: 'target', status: 'warn' });
    expect(t.checks[0]!.message).toContain('1 other pod(s) have other policies, e.g. omnia-system/support-bot-1');
  });
  it('says so when the pod has no sidecar', () => {
    const t = chooseTarget([{ ...set.pods[0]!, hasSidecar: false }], set, 'istio-system');
    expect(t.checks.map((c) => [c.id, c.status])).toEqual([['target', 'pass'], ['sidecar', 'fail']]);
  });
});
