// Human rendering of a check-token result: token summary, claims with readable times,
// the checks table, hints, and the one-line verdict last (what a user reads first).
import type { Check, CheckTokenResult } from '../core/jwt/report.js';
import type { CheckRequestResult } from '../core/istio/check-request.js';
import { isoDate, relative } from '../core/format.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time', 'updated_at']);

function statusCell(c: Check, s: Style): string {
  switch (c.status) {
    case 'pass': return s.ok('pass');
    case 'fail': return s.fail('FAIL');
    case 'warn': return s.warn('warn');
    default: return s.dim('skip');
  }
}

function claimValue(key: string, value: unknown, now: number): string {
  if (TIME_CLAIMS.has(key) && typeof value === 'number') return `${value}  ${isoDate(value)} (${relative(value, now)})`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function verdictLine(r: CheckTokenResult | CheckRequestResult, s: Style): string {
  const d = 'decision' in r ? r.decision : undefined;
  if (d && d.stage !== 'jwt') {
    if (r.allowed === null) return `${s.warn('Undetermined:')} ${d.summary}`;
    if (r.allowed) return `${s.ok('Istio would let it through')} (200): ${d.summary}${r.jwtStatus === 'OK' ? ', token valid' : r.jwtStatus === 'Jwt is missing' ? ', no token' : ''}.`;
    return `${s.fail(`Istio would answer 403 ${r.body}`)}: ${d.summary}${r.responseCodeDetails ? s.dim(`  (access log: ${r.responseCodeDetails})`) : ''}`;
  }
  if (r.allowed === null) {
    return `${s.warn('Undetermined:')} no keys could be obtained to verify the signature; every check before it passed (see the jwks and discovery checks).`;
  }
  if (r.allowed) {
    if (r.jwtStatus === 'Jwt is missing') return `${s.ok('jwt_authn lets it through')} without a principal (Jwt is missing): the AuthorizationPolicies decide.`;
    return `${s.ok('Istio would accept this token')} (jwt_authn: OK).`;
  }
  return `${s.fail(`Istio would answer ${r.httpStatus} ${r.body}`)}${r.responseCodeDetails ? s.dim(`  (access log: ${r.responseCodeDetails})`) : ''}`;
}

export function renderCheckToken(r: CheckTokenResult, s: Style, opts: { now: number; width: number; sourceLabel: string }): string {
  const out: string[] = [];
  if (r.token) {
    out.push(`${s.bold('Token')}   ${r.token.preview} ${s.dim(`(${opts.sourceLabel})`)}`);
    if (r.token.header) out.push(`${s.bold('Header')}  ${JSON.stringify(r.token.header)}`);
    if (r.token.claims) {
      out.push(s.bold('Claims'));
      const rows = Object.entries(r.token.claims).map(([k, v]) => [k, claimValue(k, v, opts.now)]);
      out.push(renderTable(['', ''], rows, { width: opts.width ? opts.width - 2 : 0, wrapColumn: 1 }).split('\n').slice(1).map((l) => `  ${l}`).join('\n'));
    }
    out.push('');
  }
  const rq = 'request' in r ? (r as CheckRequestResult) : undefined;
  if (rq) out.push(`${s.bold('Request')} ${rq.request.method} ${rq.request.path}${rq.request.host ? ` (host ${rq.request.host})` : ''}, token ${rq.token ? `in the ${rq.request.tokenLocation === 'header' ? 'Authorization header' : 'access_token query parameter'}` : 'none'}${rq.request.workload ? ` -> ${rq.request.workload}` : ''}`, '');
  const rows = r.checks.map((c) => [c.id, statusCell(c, s), c.remedy ? `${c.message}\n${s.dim(`→ ${c.remedy}`)}` : c.message]);
  out.push(renderTable(['CHECK', 'STATUS', 'DETAIL'], rows, { width: opts.width, wrapColumn: 2 }));
  if (rq && rq.decision.trace.length) {
    out.push('', s.bold('Authorization'));
    const cell = (m: true | false | 'unknown') => (m === true ? s.ok('match') : m === false ? s.dim('no match') : s.warn('not evaluated'));
    const trows = rq.decision.trace.flatMap((t) => (t.rules.length ? t.rules.map((x) => [t.policy, t.action, String(x.rule), cell(x.matched), x.reason || '-']) : [[t.policy, t.action, '-', s.dim('no rules'), t.action === 'ALLOW' ? 'allows nothing' : '-']]));
    out.push(renderTable(['POLICY', 'ACTION', 'RULE', 'RESULT', 'WHY NOT'], trows, { width: opts.width, wrapColumn: 4 }));
  }
  if (rq && rq.allowed && rq.upstreamHeaders) {
    const hs = Object.entries(rq.upstreamHeaders).map(([k, v]) => `${k}: ${v === null ? '(removed: claim absent)' : v}`);
    out.push('', `${s.bold('The agent receives')} ${rq.authorizationForwarded ? 'the Authorization header (forwardOriginalToken)' : rq.authorizationForwarded === false ? 'no Authorization header (removed after validation)' : ''}${hs.length ? `; claim headers: ${hs.join(', ')}` : ''}`);
  }
  if (r.hints.length) {
    out.push('');
    for (const h of r.hints) out.push(s.dim(`hint: ${h}`));
  }
  out.push('');
  out.push(verdictLine(r, s));
  return out.join('\n');
}
