// Validation before the cluster sees anything, with the CRD's and Istio's own rules and
// wording (spec.jwtRules[0].jwksUri: Invalid value: "ftp://x": url must have scheme ...).
import type { AuthConfig } from './generate.js';
import { names } from './generate.js';

const HEADER = /^[-_A-Za-z0-9]+$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface Problem {
  field: string;
  message: string;
}

function url(field: string, v: string, out: Problem[]): void {
  if (!/^https?:\/\//.test(v)) out.push({ field, message: `Invalid value: ${JSON.stringify(v)}: url must have scheme http:// or https://` });
  else {
    try {
      new URL(v);
    } catch {
      out.push({ field, message: `Invalid value: ${JSON.stringify(v)}: not a valid URL` });
    }
  }
}

/** Istio path syntax: exact, `prefix*`, `*suffix` or `*`; one wildcard at an end at most. */
export function pathProblem(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p === '*') return undefined;
  const stars = [...p].filter((c) => c === '*').length;
  if (stars > 1 || (stars === 1 && !p.startsWith('*') && !p.endsWith('*'))) return 'a wildcard (*) is only allowed at the start or the end';
  if (!p.startsWith('/') && !p.startsWith('*')) return 'must start with /';
  return undefined;
}

export function validateConfig(c: AuthConfig): Problem[] {
  const out: Problem[] = [];
  if (!DNS1123.test(c.release)) out.push({ field: '--release', message: `Invalid value: ${JSON.stringify(c.release)}: a lowercase RFC 1123 label (letters, digits, -)` });
  else {
    const longest = Object.values(names(c.release)).reduce((a, b) => (a.length > b.length ? a : b));
    if (longest.length > 63) out.push({ field: '--release', message: `Invalid value: ${JSON.stringify(c.release)}: ${longest} is longer than 63 characters` });
  }
  if (!DNS1123.test(c.namespace)) out.push({ field: '--namespace', message: `Invalid value: ${JSON.stringify(c.namespace)}: not a namespace name` });
  if (c.issuer.trim() === '') out.push({ field: 'spec.jwtRules[0].issuer', message: 'Required value: an issuer is needed (--issuer or --provider)' });
  url('spec.jwtRules[0].jwksUri', c.jwksUri, out);
  c.audiences.forEach((a, i) => {
    if (a.trim() === '') out.push({ field: `spec.jwtRules[0].audiences[${i}]`, message: 'Invalid value: "": must not be empty' });
  });
  c.outputClaimToHeaders.forEach((h, i) => {
    if (!HEADER.test(h.header)) out.push({ field: `spec.jwtRules[0].outputClaimToHeaders[${i}].header`, message: `Invalid value: ${JSON.stringify(h.header)}: should match '^[-_A-Za-z0-9]+$'` });
    if (h.claim === '') out.push({ field: `spec.jwtRules[0].outputClaimToHeaders[${i}].claim`, message: 'Invalid value: "": should be at least 1 chars long' });
  });
  c.additionalStripHeaders.forEach((h, i) => {
    if (!HEADER.test(h)) out.push({ field: `--additional-strip-header[${i}]`, message: `Invalid value: ${JSON.stringify(h)}: should match '^[-_A-Za-z0-9]+$'` });
  });
  c.requiredClaims.forEach((r, i) => {
    if (r.claim === '' || /[\][]/.test(r.claim)) out.push({ field: `--require-claim[${i}]`, message: `Invalid value: ${JSON.stringify(r.claim)}: a claim name (nested: a][b is written a.b is not supported; use one top-level claim)` });
    if (r.values.length === 0 || r.values.some((v) => v === '')) out.push({ field: `--require-claim[${i}]`, message: `Invalid value: claim ${r.claim} needs at least one non-empty value (CLAIM=V1,V2)` });
  });
  c.excludePaths.forEach((p, i) => {
    const why = pathProblem(p);
    if (why) out.push({ field: `--exclude-path[${i}]`, message: `Invalid value: ${JSON.stringify(p)}: ${why}` });
  });
  return out;
}
