// The chart-layout fixture, re-targeted at a namespace and an issuer, for e2e tests.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const FIXTURE = new URL('../fixtures/chart-omnia.yaml', import.meta.url);

export interface ChartOptions {
  namespace: string;
  issuer: string;
  jwksUri?: string;
  audiences?: string[];
  /** Leave out these kinds or names. */
  without?: string[];
}

export function chartObjects(o: ChartOptions): any[] {
  const docs = parseAllDocuments(readFileSync(FIXTURE, 'utf8')).map((d) => d.toJS()).filter((x) => x.kind !== 'Pod');
  const out = [];
  for (const d of docs) {
    if (o.without?.includes(d.kind) || o.without?.includes(d.metadata.name)) continue;
    d.metadata.namespace = o.namespace;
    if (d.kind === 'RequestAuthentication') {
      d.spec.jwtRules[0].issuer = o.issuer;
      if (o.jwksUri) d.spec.jwtRules[0].jwksUri = o.jwksUri;
      else delete d.spec.jwtRules[0].jwksUri;
      if (o.audiences) d.spec.jwtRules[0].audiences = o.audiences;
    }
    out.push(d);
  }
  return out;
}

export function accessLogTelemetry(namespace: string): object {
  return { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'access-log', namespace }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] } };
}
