// Golden objects per preset and flag combination, their semantic equality with what the chart
// renders for the equivalent values (written from reference §1), presets and validation.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generate, helmValues, type AuthConfig } from '../../../src/core/manifests/generate.js';
import { preset, PresetError } from '../../../src/core/manifests/presets.js';
import { validateConfig } from '../../../src/core/manifests/validate.js';
import { sortObjects } from '../../../src/core/istio/model.js';
import { renderChart, semanticOf, type ChartValues } from '../../support/chart-render.js';

const base = (o: Partial<AuthConfig> = {}): AuthConfig => ({
  release: 'omnia', namespace: 'omnia-system', issuer: 'https://idp.example.com/', jwksUri: 'https://idp.example.com/keys', audiences: [],
  forwardOriginalToken: true, outputClaimToHeaders: [], requiredClaims: [], excludePaths: ['/healthz', '/readyz'], stripInboundClaimHeaders: true, additionalStripHeaders: [], ...o,
});

const cases: Record<string, AuthConfig> = {
  'auth0': base({ ...preset('auth0', { domain: 'example.eu.auth0.com' }), audiences: ['https://agents.example.com'], requiredClaims: [{ claim: 'scope', values: ['agents:access'] }] }),
  'okta': base({ ...preset('okta', { domain: 'dev-123456.okta.com' }), audiences: ['api://agents'] }),
  'google': base({ ...preset('google', {}), audiences: ['1234.apps.googleusercontent.com'] }),
  'keycloak': base({ ...preset('keycloak', { domain: 'sso.example.com', realm: 'omnia' }), outputClaimToHeaders: [{ header: 'x-user-id', claim: 'sub' }, { header: 'X-Tenant', claim: 'org.tenant' }] }),
  'azure': base({ ...preset('azure', { tenant: '11111111-2222-3333-4444-555555555555' }), audiences: ['api://agents'] }),
  'no-exclude-paths-no-forward': base({ excludePaths: [], forwardOriginalToken: false, release: 'agents' }),
  'no-strip-two-claims': base({ stripInboundClaimHeaders: false, requiredClaims: [{ claim: 'scope', values: ['agents:access', 'agents:admin'] }, { claim: 'tenant', values: ['acme'] }] }),
  'extra-strip-headers': base({ additionalStripHeaders: ['X-Forwarded-User', 'x-user-id'], outputClaimToHeaders: [{ header: 'X-User-Email', claim: 'email' }], excludePaths: ['/healthz', '/metrics', '/public/*'] }),
};

describe('golden objects', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const yaml = generate(cases[name]!).map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
    const file = new URL(`../../fixtures/golden/${name}.yaml`, import.meta.url);
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
      if (process.env['UPDATE_GOLDEN'] !== '1') throw new Error(`golden file ${name}.yaml missing: run with UPDATE_GOLDEN=1 and review it`);
      writeFileSync(file, yaml);
    }
    expect(yaml).toBe(readFileSync(file, 'utf8'));
  });
});

describe('same objects as the chart renders for the equivalent values', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name]!;
    const values = helmValues(c) as unknown as ChartValues;
    expect(semanticOf(generate(c))).toEqual(JSON.parse(JSON.stringify(renderChart(c.release, values))));
  });
  it('the names follow the release', () => {
    expect(generate(base({ release: 'prod' })).map((o) => o.metadata.name)).toEqual(['prod-agent-jwt', 'prod-agent-require-jwt', 'prod-agent-deny-unauthenticated', 'prod-agent-strip-edge-trust-headers']);
  });
  it('carries apiVersion, kind and the managed-by label, never managedFields', () => {
    for (const o of generate(base())) {
      expect(o.apiVersion).toMatch(/istio\.io\//);
      expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'kubectl-omnia-auth' });
      expect(JSON.stringify(o)).not.toContain('managedFields');
    }
  });
  it('status understands what apply generates: the strip filter covers every claim header, no findings', async () => {
    const { runAnalyzers } = await import('../../../src/core/istio/analyze.js');
    const objs = [...generate(cases['extra-strip-headers']!), { kind: 'Pod', metadata: { name: 'a', namespace: 'omnia-system', labels: { 'omnia.altairalabs.ai/component': 'agent' } }, spec: { containers: [{ name: 'agent' }, { name: 'istio-proxy' }] } }];
    const set = sortObjects(objs, 'omnia-system');
    const codes = runAnalyzers({ rootNamespace: 'istio-system', scope: 't', podSelector: '', ...set, missingApis: [], forbidden: [], jwksProbes: [], podsComplete: true, meshAccessLog: true }).map((f) => f.code);
    expect(codes).toEqual(['OA0016']); // no audiences in that case: info
  });
});

describe('presets: real issuer and JWKS paths', () => {
  it.each([
    ['auth0', { domain: 'example.eu.auth0.com' }, 'https://example.eu.auth0.com/', 'https://example.eu.auth0.com/.well-known/jwks.json'],
    ['auth0', { domain: 'https://example.eu.auth0.com/' }, 'https://example.eu.auth0.com/', 'https://example.eu.auth0.com/.well-known/jwks.json'],
    ['okta', { domain: 'dev-1.okta.com' }, 'https://dev-1.okta.com/oauth2/default', 'https://dev-1.okta.com/oauth2/default/v1/keys'],
    ['google', {}, 'https://accounts.google.com', 'https://www.googleapis.com/oauth2/v3/certs'],
    ['keycloak', { domain: 'sso.example.com', realm: 'omnia' }, 'https://sso.example.com/realms/omnia', 'https://sso.example.com/realms/omnia/protocol/openid-connect/certs'],
    ['azure', { tenant: 't-1' }, 'https://login.microsoftonline.com/t-1/v2.0', 'https://login.microsoftonline.com/t-1/discovery/v2.0/keys'],
  ] as const)('%s %j', (p, input, issuer, jwksUri) => expect(preset(p, input)).toEqual({ issuer, jwksUri }));
  it('the Auth0 JWKS path never has a double slash', () => expect(preset('auth0', { domain: 'a.auth0.com/' }).jwksUri).not.toMatch(/[^:]\/\//));
  it('missing options are usage errors', () => {
    expect(() => preset('keycloak', { domain: 'x' })).toThrow(PresetError);
    expect(() => preset('azure', {})).toThrow(/--tenant/);
    expect(() => preset('auth0', {})).toThrow(/--domain/);
  });
});

describe('validation with the CRD\'s wording', () => {
  const msgs = (c: AuthConfig) => validateConfig(c).map((p) => `${p.field}: ${p.message}`);
  it('valid', () => expect(msgs(base())).toEqual([]));
  it('jwksUri scheme', () => expect(msgs(base({ jwksUri: 'ftp://x' }))).toEqual(['spec.jwtRules[0].jwksUri: Invalid value: "ftp://x": url must have scheme http:// or https://']));
  it('header pattern', () => expect(msgs(base({ outputClaimToHeaders: [{ header: 'x user', claim: 'sub' }] }))[0]).toContain("should match '^[-_A-Za-z0-9]+$'"));
  it('empty claim values', () => expect(msgs(base({ requiredClaims: [{ claim: 'scope', values: [''] }] }))[0]).toContain('needs at least one non-empty value'));
  it('path syntax', () => {
    expect(msgs(base({ excludePaths: ['/a/*/b'] }))[0]).toContain('only allowed at the start or the end');
    expect(msgs(base({ excludePaths: ['healthz'] }))[0]).toContain('must start with /');
    expect(msgs(base({ excludePaths: ['/api/*', '*.js', '*'] }))).toEqual([]);
  });
  it('release name', () => expect(msgs(base({ release: 'Omnia_1' }))[0]).toContain('--release'));
});
