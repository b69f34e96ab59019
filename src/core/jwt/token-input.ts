// What users paste as "the token": a bare JWT, `Bearer <t>`, a whole `Authorization:` header
// line, or a URL carrying `access_token=` (what browser WebSocket clients send).

export type TokenSource = 'raw' | 'bearer' | 'authorization-header' | 'url-query';

export interface ExtractedToken {
  token: string;
  source: TokenSource;
}

export function extractToken(input: string): ExtractedToken {
  const text = input.trim();
  const header = /^authorization\s*:\s*(.*)$/is.exec(text);
  if (header) {
    const value = header[1]!.trim();
    const bearer = /^bearer\s+(.*)$/is.exec(value);
    return { token: (bearer ? bearer[1]! : value).trim(), source: 'authorization-header' };
  }
  const bearer = /^bearer(?:\s+(.*))?$/is.exec(text);
  if (bearer) return { token: (bearer[1] ?? '').trim(), source: 'bearer' };
  const q = text.indexOf('?');
  if (q !== -1 && /(^|[?&])access_token=/.test(text.slice(q))) {
    const query = text.slice(q + 1).split('#')[0]!;
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq) === 'access_token') {
        let value = pair.slice(eq + 1);
        try {
          value = decodeURIComponent(value.replace(/\+/g, ' '));
        } catch {
          // keep it raw: Envoy would see the raw bytes too
        }
        return { token: value.trim(), source: 'url-query' };
      }
    }
  }
  return { token: text, source: 'raw' };
}

/** A token for display: the start of its header and the last 6 characters, never the whole. */
export function redactToken(token: string): string {
  if (token.length <= 16) return `${'*'.repeat(Math.min(token.length, 8))}`;
  const parts = token.split('.');
  const last = token.slice(-6);
  const head = (parts[0] ?? '').slice(0, 10);
  return `${head}…${last}`;
}

/** Replace every JWT-looking substring in free text (log lines, error messages). */
export function redactJwtsIn(text: string): string {
  return text.replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, (t) => redactToken(t));
}
