// Fast line scanning for large saved logs. Chunks are decoded as latin1 (one char per byte,
// the fastest decode; line boundaries and markers are ASCII), and only the lines that are
// kept are re-decoded as UTF-8 when they hold non-ASCII bytes. Each line gets a cheap look (the status code
// of an access line, a few markers otherwise) and only lines that can be auth failures (or
// all, with --all) are cut out and parsed.
import { isAscii } from 'node:buffer';

const MARKERS = ['access_denied', ' 401 ', ' 403 ', '"response_code":401', '"response_code":403', 'envoy jwt', 'envoy rbac', '][jwt]', '][rbac]', 'jwks', 'JWKS', 'JWT public key'];

/** Could this line be an auth failure? (no false negatives for the known formats) */
export function mayMatter(line: string): boolean {
  for (const m of MARKERS) if (line.includes(m)) return true;
  return false;
}

export const enum Look {
  Ignore = 0,
  AccessIgnore = 1,
  Matters = 2,
}

const C_BRACKET = 0x5b;
const C_BRACE = 0x7b;

function is4013(t: string, i: number): boolean {
  return t.charCodeAt(i) === 0x34 && t.charCodeAt(i + 1) === 0x30 && (t.charCodeAt(i + 2) === 0x31 || t.charCodeAt(i + 2) === 0x33);
}

/** A cheap verdict on t[start, end): can it be an auth failure, and is it an access line? */
export function look(t: string, start: number, end: number): Look {
  let s = start;
  let c = t.charCodeAt(s);
  if (c === C_BRACKET && t.startsWith('[pod/', s)) {
    const e = t.indexOf('] ', s);
    if (e !== -1 && e < end) {
      s = e + 2;
      c = t.charCodeAt(s);
    }
  }
  if (c >= 0x30 && c <= 0x39) {
    // a --timestamps prefix ("2026-...Z "), or an Envoy/istiod line starting with its time
    const sp = t.indexOf(' ', s);
    const tab = t.indexOf('\t', s);
    if (sp !== -1 && sp < end && (tab === -1 || sp < tab)) {
      s = sp + 1;
      c = t.charCodeAt(s);
    } else {
      return mayMatter(t.slice(s, end)) ? Look.Matters : Look.Ignore;
    }
  }
  if (c === C_BRACKET) {
    const q = t.indexOf('" ', s);
    if (q !== -1 && q < end && t.charCodeAt(q + 5) === 0x20) {
      return is4013(t, q + 2) ? Look.Matters : Look.AccessIgnore;
    }
    return mayMatter(t.slice(s, end)) ? Look.Matters : Look.Ignore;
  }
  if (c === C_BRACE) {
    const k = t.indexOf('"response_code":', s);
    if (k !== -1 && k < end) return is4013(t, k + 16) || (t.charCodeAt(k + 16) === 0x22 && is4013(t, k + 17)) ? Look.Matters : Look.AccessIgnore;
    return mayMatter(t.slice(s, end)) ? Look.Matters : Look.Ignore;
  }
  return mayMatter(t.slice(s, end)) ? Look.Matters : Look.Ignore;
}

export class LineScanner {
  private carry = '';

  /** onLine gets the line when it may matter (or with all), else null and whether it was an access line. */
  constructor(private readonly onLine: (line: string | null, accessLine: boolean) => void, private readonly all = false) {}

  private ascii = true;

  feed(chunk: Buffer | string): void {
    // an all-ASCII chunk (the usual case) needs no UTF-8 re-decoding of its lines
    this.ascii = (typeof chunk === 'string' || isAscii(chunk)) && !/[\u0080-\u00ff]/.test(this.carry);
    const text = this.carry + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.one(text, start, end);
      start = nl + 1;
    }
    this.carry = text.slice(start);
  }

  private one(text: string, start: number, end: number): void {
    if (end <= start) return;
    if (this.all) {
      this.onLine(this.ascii ? text.slice(start, end) : utf8(text.slice(start, end)), false);
      return;
    }
    const v = look(text, start, end);
    if (v === Look.Matters) this.onLine(this.ascii ? text.slice(start, end) : utf8(text.slice(start, end)), false);
    else this.onLine(null, v === Look.AccessIgnore);
  }

  end(): void {
    const rest = this.carry;
    this.carry = '';
    this.ascii = false;
    if (rest) this.one(rest, 0, rest.length);
  }
}

/** A latin1-decoded line back to UTF-8 text (only when it has non-ASCII bytes). */
function utf8(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0080-\u00ff]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

/**
 * The three fields a summary needs from a TEXT access line (code, details, path), without
 * building a record; undefined when the line is not in that layout.
 */
export function quickAccess(t: string): { code: number; details: string; path: string } | undefined {
  const rb = t.indexOf('] "');
  if (rb < 1 || t.charCodeAt(0) !== 0x5b) return undefined;
  const q = t.indexOf('" ', rb + 3);
  if (q === -1 || t.charCodeAt(q + 5) !== 0x20) return undefined;
  const code = Number(t.slice(q + 2, q + 5));
  const flagsEnd = t.indexOf(' ', q + 6);
  if (flagsEnd === -1) return undefined;
  const detailsEnd = t.indexOf(' ', flagsEnd + 1);
  const details = detailsEnd === -1 ? t.slice(flagsEnd + 1) : t.slice(flagsEnd + 1, detailsEnd);
  const s1 = t.indexOf(' ', rb + 3);
  const s2 = s1 === -1 || s1 > q ? -1 : t.indexOf(' ', s1 + 1);
  const path = s1 === -1 || s1 > q ? '' : t.slice(s1 + 1, s2 === -1 || s2 > q ? q : s2);
  return Number.isFinite(code) ? { code, details, path } : undefined;
}
