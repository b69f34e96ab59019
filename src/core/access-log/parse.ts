// istio-proxy and istiod log lines (reference §5): the default TEXT access-log format, its
// JSON encoding (detected per line), Envoy's own log lines (new and old layouts) and istiod's.
// Never throws: a line it does not know is { type: 'unknown' }.

export interface AccessRecord {
  type: 'access';
  format: 'text' | 'json';
  time: string | null;
  method: string | null;
  path: string | null;
  protocol: string | null;
  code: number | null;
  flags: string | null;
  details: string | null;
  authority: string | null;
  requestId: string | null;
  userAgent: string | null;
}

export interface EnvoyRecord {
  type: 'envoy';
  time: string | null;
  level: string;
  logger: string;
  message: string;
}

export interface IstiodRecord {
  type: 'istiod';
  time: string | null;
  level: string | null;
  message: string;
}

export type LogRecord = AccessRecord | EnvoyRecord | IstiodRecord | { type: 'unknown'; text: string };

const dash = (s: string | undefined): string | null => (s === undefined || s === '-' || s === '' ? null : s);

// [%START_TIME%] "%METHOD% %PATH% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%
// %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT%
// %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%X-FORWARDED-FOR%" "%USER-AGENT%" "%X-REQUEST-ID%" "%AUTHORITY%" ...
const TEXT = /^\[([^\]]*)\] "(\S*) ?(\S*) ?([^"]*)" (\d{1,3}|-) (\S+) (\S+)(?: (\S+) "[^"]*" \S+ \S+ \S+ \S+ "[^"]*" "([^"]*)" "([^"]*)" "([^"]*)")?/;

function str(v: unknown): string | null {
  return typeof v === 'string' ? dash(v) : typeof v === 'number' ? String(v) : null;
}

function fromJson(o: Record<string, unknown>): AccessRecord | undefined {
  if (!('response_code' in o) && !('response_code_details' in o)) return undefined;
  const code = typeof o['response_code'] === 'number' ? o['response_code'] : Number.parseInt(String(o['response_code'] ?? ''), 10);
  return {
    type: 'access', format: 'json', time: str(o['start_time']), method: str(o['method']), path: str(o['path']), protocol: str(o['protocol']),
    code: Number.isFinite(code) ? code : null, flags: str(o['response_flags']), details: str(o['response_code_details']),
    authority: str(o['authority']), requestId: str(o['request_id']), userAgent: str(o['user_agent']),
  };
}

// new: 2026-12-03T10:00:00.123456Z\tdebug\tenvoy jwt external/envoy/.../authenticator.cc:123\tmessage\tthread=20
// old: 2026-12-03T10:00:00.123456Z\tdebug\tenvoy jwt\tmessage   or  [2026-12-03 10:00:00.123][20][debug][jwt] [file:line] message
const ENVOY_TAB = /^(\S+)\t(\w+)\tenvoy (\w+)(?: [^\t]*)?\t(.*?)(?:\tthread=\d+)?$/;
const ENVOY_BRACKET = /^\[([^\]]+)\]\[\d+\]\[(\w+)\]\[(\w+)\] (?:\[[^\]]*\] )?(.*)$/;
// istiod: 2026-12-03T10:00:00.000000Z\terror\tmodel\tFailed to fetch public key from jwks URI ...
const ISTIOD = /^(\S+)\t(\w+)\t(?:([\w.-]+)\t)?(.*)$/;

/** The default TEXT access-log layout, cut with indexOf (much faster than the regex). */
function fastText(t: string): AccessRecord | undefined {
  const rb = t.indexOf('] "');
  if (rb < 1) return undefined;
  const q = t.indexOf('" ', rb + 3);
  if (q === -1) return undefined;
  const req = t.slice(rb + 3, q);
  const s1 = req.indexOf(' ');
  const s2 = s1 === -1 ? -1 : req.indexOf(' ', s1 + 1);
  let p = q + 2;
  const next = () => {
    const sp = t.indexOf(' ', p);
    const tok = sp === -1 ? t.slice(p) : t.slice(p, sp);
    p = sp === -1 ? t.length : sp + 1;
    return tok;
  };
  const codeTok = next();
  if (!/^(\d{1,3}|-)$/.test(codeTok)) return undefined;
  const flags = next();
  const details = next();
  const rec: AccessRecord = {
    type: 'access', format: 'text', time: dash(t.slice(1, rb)),
    method: dash(s1 === -1 ? req : req.slice(0, s1)), path: dash(s1 === -1 ? '' : s2 === -1 ? req.slice(s1 + 1) : req.slice(s1 + 1, s2)),
    protocol: dash(s2 === -1 ? '' : req.slice(s2 + 1)), code: codeTok === '-' ? null : Number(codeTok), flags: dash(flags), details: dash(details),
    authority: null, requestId: null, userAgent: null,
  };
  // then: CONNECTION_TERMINATION_DETAILS "UTFR" RX TX DURATION UPSTREAM_TIME "XFF" "UA" "REQUEST_ID" "AUTHORITY"
  const quoted: string[] = [];
  let i = p;
  while (quoted.length < 5) {
    const a = t.indexOf('"', i);
    if (a === -1) break;
    const b = t.indexOf('"', a + 1);
    if (b === -1) break;
    quoted.push(t.slice(a + 1, b));
    i = b + 1;
  }
  if (quoted.length === 5) {
    rec.userAgent = dash(quoted[2]);
    rec.requestId = dash(quoted[3]);
    rec.authority = dash(quoted[4]);
  }
  return rec;
}

export function parseLine(line: string): LogRecord {
  const text = line.replace(/\r$/, '');
  try {
    const t = text.trimStart();
    if (t.startsWith('{')) {
      const o = JSON.parse(t) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) {
        const a = fromJson(o as Record<string, unknown>);
        if (a) return a;
        const r = o as Record<string, unknown>;
        if (typeof r['msg'] === 'string') return { type: 'istiod', time: str(r['time']), level: str(r['level']), message: r['msg'] };
      }
      return { type: 'unknown', text };
    }
    if (t.startsWith('[')) {
      const fast = fastText(t);
      if (fast) return fast;
      const m = TEXT.exec(t);
      if (m) {
        const code = m[5] === '-' ? null : Number(m[5]);
        return {
          type: 'access', format: 'text', time: dash(m[1]), method: dash(m[2]), path: dash(m[3]), protocol: dash(m[4]?.trim()), code,
          flags: dash(m[6]), details: dash(m[7]), userAgent: dash(m[9]), requestId: dash(m[10]), authority: dash(m[11]),
        };
      }
      const b = ENVOY_BRACKET.exec(t);
      if (b) return { type: 'envoy', time: b[1]!, level: b[2]!, logger: b[3]!, message: b[4]! };
      return { type: 'unknown', text };
    }
    const e = ENVOY_TAB.exec(t);
    if (e) return { type: 'envoy', time: e[1]!, level: e[2]!, logger: e[3]!, message: e[4]! };
    const i = ISTIOD.exec(t);
    if (i && /^\d{4}-\d{2}-\d{2}T/.test(i[1]!)) return { type: 'istiod', time: i[1]!, level: i[2]!, message: i[4]! };
  } catch {
    // fall through: unknown
  }
  return { type: 'unknown', text };
}

/** kubectl logs --timestamps / the API's timestamps=true prefix. */
export function splitKubeTimestamp(line: string): { ts: string | null; text: string } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (.*)$/s.exec(line);
  return m ? { ts: m[1]!, text: m[2]! } : { ts: null, text: line };
}

/** kubectl logs --prefix / stern: `[pod/NAME/CONTAINER] line`. */
export function splitPodPrefix(line: string): { pod: string | null; container: string | null; text: string } {
  const m = /^\[pod\/([^/\]]+)\/([^\]]+)\] (.*)$/s.exec(line);
  return m ? { pod: m[1]!, container: m[2]!, text: m[3]! } : { pod: null, container: null, text: line };
}
