// Reference §3, one semantic at a time: a case that matches and one that does not.
import { describe, expect, it } from 'vitest';
import { decide, pathMatch, wildcardMatch, type AuthzRequest } from '../../../src/core/istio/authz.js';
import { toAuthorizationPolicy, type AuthorizationPolicy } from '../../../src/core/istio/model.js';

const req = (o: Partial<AuthzRequest> = {}): AuthzRequest => ({
  principal: 'https://idp/user-1', claims: { iss: 'https://idp', sub: 'user-1', scope: 'openid agents:access', roles: ['admin', 'dev'], org: { team: 'core' }, aud: ['agents'], azp: 'web' },
  spaceDelimitedClaims: ['scope', 'permission'], path: '/ws', method: 'GET', host: 'agents.example.com', headers: {}, ...o,
});
const policy = (action: string, rules: unknown[] | undefined, name = 'p'): AuthorizationPolicy =>
  toAuthorizationPolicy({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'ns' }, spec: { action, ...(rules ? { rules } : {}) } });
const allowed = (rule: unknown, r: AuthzRequest = req()) => decide([policy('ALLOW', [rule])], r).allowed;

describe('string and path matching', () => {
  it.each([
    ['*', 'anything', true], ['abc*', 'abcdef', true], ['abc*', 'xabc', false], ['*def', 'abcdef', true], ['*def', 'defx', false], ['exact', 'exact', true], ['exact', 'exactly', false],
  ])('wildcardMatch(%j, %j) = %s', (p, v, r) => expect(wildcardMatch(p, v)).toBe(r));
  it.each([
    ['/api/*', '/api/x/y', true], ['/api/*', '/apix', false], ['*.js', '/a/b.js', true], ['/healthz', '/healthz?probe=1', true], ['/healthz', '/healthz/', false], ['*', '/', true],
  ])('pathMatch(%j, %j) = %s', (p, v, r) => expect(pathMatch(p, v)).toBe(r));
});

describe('requestPrincipals / notRequestPrincipals', () => {
  it('* matches a request with a principal', () => expect(allowed({ from: [{ source: { requestPrincipals: ['*'] } }] })).toBe(true));
  it('* does not match a request without principal (no token, or no sub)', () => expect(allowed({ from: [{ source: { requestPrincipals: ['*'] } }] }, req({ principal: null }))).toBe(false));
  it('prefix wildcard on iss/sub', () => expect(allowed({ from: [{ source: { requestPrincipals: ['https://idp/*'] } }] })).toBe(true));
  it('suffix wildcard that does not match', () => expect(allowed({ from: [{ source: { requestPrincipals: ['*/user-2'] } }] })).toBe(false));
  it('notRequestPrincipals * matches a request without principal', () => {
    expect(decide([policy('DENY', [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }])], req({ principal: null })).allowed).toBe(false);
  });
  it('notRequestPrincipals * does not match a request with a principal', () => {
    expect(decide([policy('DENY', [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }])], req()).allowed).toBe(true);
  });
});

describe('when: request.auth.claims', () => {
  const when = (key: string, values: string[], r = req()) => allowed({ when: [{ key, values }] }, r);
  it('string claim equal', () => expect(when('request.auth.claims[iss]', ['https://idp'])).toBe(true));
  it('string claim different', () => expect(when('request.auth.claims[iss]', ['https://other'])).toBe(false));
  it('list claim containing the value', () => expect(when('request.auth.claims[roles]', ['dev'])).toBe(true));
  it('list claim without it', () => expect(when('request.auth.claims[roles]', ['ops'])).toBe(false));
  it('scope is split on spaces', () => expect(when('request.auth.claims[scope]', ['agents:access'])).toBe(true));
  it('scope with a value not in it', () => expect(when('request.auth.claims[scope]', ['agents:admin'])).toBe(false));
  it('other space-separated strings are not split', () => expect(when('request.auth.claims[desc]', ['b'], req({ claims: { desc: 'a b' } }))).toBe(false));
  it('unless listed in spaceDelimitedClaims', () => expect(when('request.auth.claims[desc]', ['b'], req({ claims: { desc: 'a b' }, spaceDelimitedClaims: ['scope', 'permission', 'desc'] }))).toBe(true));
  it('nested claims', () => expect(when('request.auth.claims[org][team]', ['core'])).toBe(true));
  it('nested claim absent', () => expect(when('request.auth.claims[org][unit]', ['core'])).toBe(false));
  it('values are OR', () => expect(when('request.auth.claims[iss]', ['x', 'https://idp'])).toBe(true));
  it('prefix wildcard in values', () => expect(when('request.auth.claims[iss]', ['https://*'])).toBe(true));
  it('no token: claims never match', () => expect(when('request.auth.claims[iss]', ['https://idp'], req({ claims: null, principal: null }))).toBe(false));
  it('notValues', () => {
    expect(allowed({ when: [{ key: 'request.auth.claims[roles]', notValues: ['banned'] }] })).toBe(true);
    expect(allowed({ when: [{ key: 'request.auth.claims[roles]', notValues: ['admin'] }] })).toBe(false);
  });
  it('request.auth.audiences, presenter and principal', () => {
    expect(when('request.auth.audiences', ['agents'])).toBe(true);
    expect(when('request.auth.audiences', ['other'])).toBe(false);
    expect(when('request.auth.presenter', ['web'])).toBe(true);
    expect(when('request.auth.presenter', ['cli'])).toBe(false);
    expect(when('request.auth.principal', ['https://idp/user-1'])).toBe(true);
    expect(when('request.auth.principal', ['https://idp/user-2'])).toBe(false);
  });
  it('unknown keys are ignored', () => expect(when('request.auth.claim[x]', ['nope'])).toBe(true));
  it('request.headers', () => {
    expect(when('request.headers[x-tenant]', ['a'], req({ headers: { 'x-tenant': 'a' } }))).toBe(true);
    expect(when('request.headers[x-tenant]', ['a'])).toBe(false);
  });
  it('a key that cannot be known here is not evaluated: no silent allow', () => {
    const d = decide([policy('ALLOW', [{ when: [{ key: 'source.ip', values: ['10.0.0.1'] }] }])], req());
    expect(d.allowed).toBeNull();
    expect(d.summary).toMatch(/not evaluated/);
  });
});

describe('to: operations', () => {
  it('paths and notPaths', () => {
    expect(allowed({ to: [{ operation: { paths: ['/ws'] } }] })).toBe(true);
    expect(allowed({ to: [{ operation: { paths: ['/healthz'] } }] })).toBe(false);
    expect(allowed({ to: [{ operation: { notPaths: ['/healthz'] } }] })).toBe(true);
    expect(allowed({ to: [{ operation: { notPaths: ['/ws'] } }] })).toBe(false);
  });
  it('methods', () => {
    expect(allowed({ to: [{ operation: { methods: ['GET'] } }] })).toBe(true);
    expect(allowed({ to: [{ operation: { methods: ['POST'] } }] })).toBe(false);
  });
  it('hosts (case-insensitive, wildcards)', () => {
    expect(allowed({ to: [{ operation: { hosts: ['*.EXAMPLE.com'] } }] })).toBe(true);
    expect(allowed({ to: [{ operation: { hosts: ['other.example.com'] } }] })).toBe(false);
  });
  it('ports without --port are not evaluated', () => expect(allowed({ to: [{ operation: { ports: ['8080'] } }] })).toBeNull());
  it('ports with a port', () => {
    expect(allowed({ to: [{ operation: { ports: ['8080'] } }] }, req({ port: 8080 }))).toBe(true);
    expect(allowed({ to: [{ operation: { ports: ['8080'] } }] }, req({ port: 9090 }))).toBe(false);
  });
  it('a list is OR, fields are AND', () => {
    expect(allowed({ to: [{ operation: { paths: ['/x'] } }, { operation: { paths: ['/ws'] } }] })).toBe(true);
    expect(allowed({ to: [{ operation: { paths: ['/ws'], methods: ['POST'] } }] })).toBe(false);
  });
  it('from AND to AND when', () => {
    expect(allowed({ from: [{ source: { requestPrincipals: ['*'] } }], to: [{ operation: { paths: ['/ws'] } }], when: [{ key: 'request.auth.claims[scope]', values: ['openid'] }] })).toBe(true);
    expect(allowed({ from: [{ source: { requestPrincipals: ['*'] } }], to: [{ operation: { paths: ['/ws'] } }], when: [{ key: 'request.auth.claims[scope]', values: ['nope'] }] })).toBe(false);
  });
  it('source identity fields are not evaluated', () => expect(allowed({ from: [{ source: { namespaces: ['a'] } }] })).toBeNull());
});

describe('decision order and policy kinds', () => {
  it('DENY wins over ALLOW, with the matched policy and rule in Envoy\'s words', () => {
    const d = decide([policy('ALLOW', [{}], 'allow-all'), policy('DENY', [{ to: [{ operation: { paths: ['/x'] } }] }, { to: [{ operation: { paths: ['/ws'] } }] }], 'deny-ws')], req());
    expect(d).toMatchObject({ allowed: false, action: 'DENY', policy: 'ns/deny-ws', rule: 1, details: 'rbac_access_denied_matched_policy[ns[ns]-policy[deny-ws]-rule[1]]' });
  });
  it('no policy at all: allowed', () => expect(decide([], req()).allowed).toBe(true));
  it('only DENY policies that do not match: allowed', () => expect(decide([policy('DENY', [{ to: [{ operation: { paths: ['/x'] } }] }])], req()).allowed).toBe(true));
  it('ALLOW policies present and none matches: denied, matched policy none', () => {
    const d = decide([policy('ALLOW', [{ to: [{ operation: { paths: ['/x'] } }] }])], req());
    expect(d).toMatchObject({ allowed: false, action: 'ALLOW', policy: null, details: 'rbac_access_denied_matched_policy[none]' });
  });
  it('ALLOW without rules allows nothing', () => expect(decide([policy('ALLOW', undefined)], req()).allowed).toBe(false));
  it('an empty rule matches everything', () => expect(allowed({})).toBe(true));
  it('DENY without rules denies nothing', () => expect(decide([policy('DENY', undefined)], req()).allowed).toBe(true));
  it('CUSTOM that matches: the external authorizer decides (not evaluated)', () => {
    const d = decide([toAuthorizationPolicy({ kind: 'AuthorizationPolicy', metadata: { name: 'ext', namespace: 'ns' }, spec: { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] } })], req());
    expect(d).toMatchObject({ allowed: null, action: 'CUSTOM' });
  });
  it('CUSTOM that does not match: the rest decides', () => {
    const d = decide([toAuthorizationPolicy({ kind: 'AuthorizationPolicy', metadata: { name: 'ext', namespace: 'ns' }, spec: { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } })], req());
    expect(d.allowed).toBe(true);
  });
  it('AUDIT does not decide', () => expect(decide([policy('AUDIT', [{}])], req()).allowed).toBe(true));
});
