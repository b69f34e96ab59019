// Policies in words: "DENY when the request has no principal, except /healthz, /readyz";
// "ALLOW with a principal and scope in {agents:access}".
import { claimPath } from './authz.js';
import type { AuthorizationPolicy, Condition, Operation, Rule, Source } from './model.js';

const list = (xs: readonly string[]) => xs.join(', ');
const set = (xs: readonly string[]) => `{${xs.join(', ')}}`;

function describeSource(s: Source): string[] {
  const out: string[] = [];
  if (s.requestPrincipals) out.push(s.requestPrincipals.length === 1 && s.requestPrincipals[0] === '*' ? 'with a principal' : `with principal in ${set(s.requestPrincipals)}`);
  if (s.notRequestPrincipals) {
    out.push(s.notRequestPrincipals.length === 1 && s.notRequestPrincipals[0] === '*' ? 'when the request has no principal' : `when the principal is not in ${set(s.notRequestPrincipals)}`);
  }
  if (s.principals) out.push(`from mTLS identities ${set(s.principals)}`);
  if (s.notPrincipals) out.push(`not from mTLS identities ${set(s.notPrincipals)}`);
  if (s.namespaces) out.push(`from namespaces ${set(s.namespaces)}`);
  if (s.notNamespaces) out.push(`not from namespaces ${set(s.notNamespaces)}`);
  if (s.ipBlocks) out.push(`from IPs ${set(s.ipBlocks)}`);
  if (s.notIpBlocks) out.push(`not from IPs ${set(s.notIpBlocks)}`);
  if (s.remoteIpBlocks) out.push(`from remote IPs ${set(s.remoteIpBlocks)}`);
  if (s.notRemoteIpBlocks) out.push(`not from remote IPs ${set(s.notRemoteIpBlocks)}`);
  return out;
}

function describeOperation(o: Operation): string[] {
  const out: string[] = [];
  if (o.methods) out.push(`for ${list(o.methods)}`);
  if (o.notMethods) out.push(`except methods ${list(o.notMethods)}`);
  if (o.paths) out.push(`on ${list(o.paths)}`);
  if (o.notPaths) out.push(`except ${list(o.notPaths)}`);
  if (o.hosts) out.push(`for hosts ${list(o.hosts)}`);
  if (o.notHosts) out.push(`except hosts ${list(o.notHosts)}`);
  if (o.ports) out.push(`on ports ${list(o.ports)}`);
  if (o.notPorts) out.push(`except ports ${list(o.notPorts)}`);
  return out;
}

function describeCondition(c: Condition): string {
  const path = claimPath(c.key);
  const name = path ? path.join('.') : c.key;
  const parts: string[] = [];
  if (c.values) parts.push(`${name} in ${set(c.values)}`);
  if (c.notValues) parts.push(`${name} not in ${set(c.notValues)}`);
  return parts.join(' and ');
}

export function describeRule(r: Rule): string {
  const groups: string[] = [];
  const from = r.from.map((s) => describeSource(s).join(' and ')).filter(Boolean);
  const to = r.to.map((o) => describeOperation(o).join(' ')).filter(Boolean);
  if (from.length) groups.push(from.join(' or '));
  const when = r.when.map(describeCondition).filter(Boolean);
  if (when.length) groups.push(when.join(' and '));
  let s = groups.join(' and ');
  if (to.length) s = s ? `${s}, ${to.join(' or ')}` : to.join(' or ');
  return s || 'any request';
}

export function describePolicy(p: AuthorizationPolicy): string[] {
  if (p.rules.length === 0) {
    if (p.action === 'ALLOW') return ['ALLOW nothing: every request to the selected pods is denied'];
    return [`${p.action} nothing (no rules)`];
  }
  const prefix = p.action === 'CUSTOM' ? `CUSTOM (${p.provider ?? 'no provider'})` : p.action;
  return p.rules.map((r, i) => `${prefix} ${describeRule(r)}${p.rules.length > 1 ? ` (rule ${i})` : ''}`);
}
