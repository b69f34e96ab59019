// Human rendering of status: what is configured, what it applies to, then the findings.
import type { StatusReport } from '../core/istio/analyze.js';
import type { Finding } from '../core/findings.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

const sev = (f: Finding, s: Style) => (f.severity === 'error' ? s.fail('error') : f.severity === 'warning' ? s.warn('warning') : s.info('info'));
const subj = (f: Finding) => [f.subject.kind, [f.subject.namespace, f.subject.name].filter(Boolean).join('/')].filter(Boolean).join(' ');
const sel = (x: Record<string, string> | null) => (x ? Object.entries(x).map(([k, v]) => `${k}=${v}`).join(',') : '(none)');

export function findingCounts(fs: Finding[]): string {
  const n = (k: Finding['severity']) => fs.filter((f) => f.severity === k).length;
  const p = (c: number, w: string) => `${c} ${w}${c === 1 ? '' : 's'}`;
  return `${p(n('error'), 'error')}, ${p(n('warning'), 'warning')}, ${p(n('info'), 'info')}`.replace('infos', 'info');
}

export function renderStatus(r: StatusReport, s: Style, opts: { width: number; wide: boolean }): string {
  const out: string[] = [];
  const section = (title: string) => out.push('', s.bold(title));
  out.push(s.dim(`Scope: ${r.scope}`));

  section('Authentication (RequestAuthentication)');
  if (!r.requestAuthentications.length) out.push('  none');
  else {
    const rows = r.requestAuthentications.flatMap((ra) => ra.jwtRules.length ? ra.jwtRules.map((j) => [
      `${ra.namespace}/${ra.name}`, j.issuer, j.jwksUri ?? (j.inlineJwks ? '(inline jwks)' : '(discovery)'), j.audiences.join(', ') || '(any)',
      j.forwardOriginalToken ? 'yes' : 'no', j.outputClaimToHeaders.map((h) => `${h.header}=${h.claim}`).join(', ') || '-', String(ra.pods.length),
      ...(opts.wide ? [sel(ra.selector)] : []),
    ]) : [[`${ra.namespace}/${ra.name}`, '(no jwtRules)', '-', '-', '-', '-', String(ra.pods.length), ...(opts.wide ? [sel(ra.selector)] : [])]]);
    out.push(renderTable(['NAME', 'ISSUER', 'JWKS URI', 'AUDIENCES', 'FORWARD', 'CLAIM HEADERS', 'PODS', ...(opts.wide ? ['SELECTOR'] : [])], rows, { width: opts.width }));
  }

  section('Authorization (AuthorizationPolicy)');
  if (!r.authorizationPolicies.length) out.push('  none');
  else {
    const rows = r.authorizationPolicies.map((p) => [`${p.namespace}/${p.name}`, p.description.join('\n'), String(p.pods.length), ...(opts.wide ? [sel(p.selector)] : [])]);
    out.push(renderTable(['NAME', 'MEANING', 'PODS', ...(opts.wide ? ['SELECTOR'] : [])], rows, { width: opts.width, wrapColumn: 1 }));
  }

  section('Workloads (agent pods)');
  if (!r.workloads.length) out.push('  none');
  else {
    const rows = r.workloads.map((w) => [
      `${w.namespace}/${w.name}`, w.agent ?? '-', w.sidecar ? s.ok('yes') : s.fail('NO'),
      w.requestAuthentications.join('\n') || '-', w.authorizationPolicies.join('\n') || '-',
      w.accessLogging === null ? '?' : w.accessLogging ? 'on' : 'off',
      ...(opts.wide ? [w.envoyFilters.join('\n') || '-', w.phase] : []),
    ]);
    out.push(renderTable(['POD', 'AGENT', 'SIDECAR', 'AUTHN', 'AUTHZ', 'ACCESS LOG', ...(opts.wide ? ['ENVOYFILTERS', 'PHASE'] : [])], rows, { width: opts.width }));
  }

  if (r.jwks.length) {
    section('JWKS (fetched from this machine; istiod\'s network may differ)');
    const rows = r.jwks.map((j) => [
      j.issuer,
      j.discovery ? (j.discovery.ok ? `ok${j.discovery.issuer !== undefined && j.discovery.issuer !== j.issuer ? s.fail(` (issuer ${j.discovery.issuer})`) : ''}` : s.fail(`failed: ${j.discovery.problem}`)) : '-',
      j.jwks ? (j.jwks.ok ? `${j.jwks.uri}: ${j.jwks.keys} key${j.jwks.keys === 1 ? '' : 's'}` : s.fail(`${j.jwks.uri}: ${j.jwks.problem}`)) : '-',
    ]);
    out.push(renderTable(['ISSUER', 'DISCOVERY', 'JWKS'], rows, { width: opts.width }));
  }

  section(`Findings (${findingCounts(r.findings)})`);
  if (!r.findings.length) out.push(`  ${s.ok('no problems found')}`);
  else {
    const rows = r.findings.map((f) => [sev(f, s), f.code, subj(f), `${f.message}\n${s.dim(`→ ${f.remedy}`)}`]);
    out.push(renderTable(['SEVERITY', 'CODE', 'SUBJECT', 'MESSAGE'], rows, { width: opts.width, wrapColumn: 3 }));
  }
  return out.join('\n').replace(/^\n/, '');
}
