import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { decodeForDisplay } from '../core/jwt/parse.js';
import { checkToken, type KeySourceFacts } from '../core/jwt/report.js';
import { extractToken, type TokenSource } from '../core/jwt/token-input.js';
import { BaseCommand, commonFlags, kubeFlags, outputFlag } from '../lib/base.js';
import { UsageError } from '../lib/errors.js';
import { renderCheckToken } from '../render/check-token.js';
import { toYaml } from '../render/output.js';

const SOURCE_LABEL: Record<TokenSource, string> = {
  raw: 'raw token',
  bearer: 'from "Bearer <token>"',
  'authorization-header': 'from an Authorization header line',
  'url-query': 'from the access_token query parameter',
};

export default class CheckToken extends BaseCommand {
  static override summary = 'The verdict Istio would give a token: Envoy\'s exact status, 401 or 403, and why.';

  static override description = `Reproduces Envoy's jwt_authn checks in Envoy's order, with Envoy's exact status strings:
parse, issuer (exact match), time (60 s skew, no exp = never expires), audience (scheme and
trailing slash ignored), key selection by kid and alg, signature. Keys come from --jwks-file,
--jwks-uri, or OIDC discovery from the issuer (the token's iss when --issuer is not given);
reaching them is reported as checks of their own. The token is never printed whole.

Exit codes: 0 accepted, 1 rejected, 2 usage error, 3 undetermined (no keys could be obtained).`;

  static override examples = [
    {
      description: 'Check a token against the issuer and audience of your RequestAuthentication:',
      command: 'kubectl omnia-auth check-token "$TOKEN" --issuer https://example.eu.auth0.com/ --audience https://agents.example.com',
    },
    { description: 'Read the token from a file or a pipe (never from your shell history):', command: 'kubectl omnia-auth check-token --token-file token.txt --issuer https://idp.example.com/realms/omnia' },
    { description: 'Offline, with a saved JWKS, as of a given instant:', command: 'pbpaste | kubectl omnia-auth check-token - --jwks-file jwks.json --now 2026-12-03T10:00:00Z' },
    { description: 'A whole header line or a WebSocket URL works too; JSON for CI:', command: 'kubectl omnia-auth check-token "wss://agents.example.com/ws?access_token=$TOKEN" -o json' },
  ];

  static override args = {
    token: Args.string({ description: 'The token: a JWT, "Bearer <jwt>", "Authorization: Bearer <jwt>", a URL with access_token=, or - for stdin.' }),
  };

  static override flags = {
    'token-file': Flags.string({ description: 'Read the token from this file.' }),
    issuer: Flags.string({ description: 'The jwtRule issuer to check against, byte for byte (discovery starts here).' }),
    audience: Flags.string({ description: 'An allowed audience (repeatable). None: any audience is accepted, as in Istio.', multiple: true }),
    'jwks-file': Flags.string({ description: 'Verify with the JWKS in this file (offline).', exclusive: ['jwks-uri'] }),
    'jwks-uri': Flags.string({ description: 'Fetch the JWKS from this URL instead of using discovery.' }),
    now: Flags.string({ description: 'Evaluate at this instant: unix seconds or RFC 3339 (default: now).' }),
    timeout: Flags.string({ description: 'Time limit for each discovery/JWKS fetch (istiod uses 5s).', default: '5s' }),
    'ca-file': Flags.string({ description: 'PEM CA bundle to trust for discovery and JWKS (a private CA).' }),
    'insecure-skip-tls-verify': Flags.boolean({ description: 'Do not verify the TLS certificate of the issuer (only when asked).' }),
    output: outputFlag(['table', 'json', 'yaml']),
    ...commonFlags,
    ...kubeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CheckToken);
    const format = this.resolveOutput(flags);
    const timeoutMs = this.durationMs('timeout', flags.timeout);
    const now = parseNow(flags.now);

    const raw = await readTokenText(args.token, flags['token-file']);
    const { token, source } = extractToken(raw);
    if (token === '') {
      throw new UsageError('the token is empty (is the variable set?)', ['To see what Istio does with a request that carries no token at all, use --no-token with policies (status, check-token --agent).']);
    }

    const issuer = flags.issuer;
    const keySource = await this.obtainKeys(token, issuer, flags, timeoutMs);
    const result = checkToken({
      token, tokenSource: source, rule: { ...(issuer !== undefined ? { issuer } : {}), audiences: flags.audience ?? [] }, now, keySource, timeoutMs,
    });

    if (format === 'json') this.printJson(result);
    else if (format === 'yaml') this.print(await toYaml(result));
    else this.print(renderCheckToken(result, this.style(flags), { now, width: this.width(), sourceLabel: SOURCE_LABEL[source] }));
    this.setExit(result.allowed === null ? 3 : result.allowed ? 0 : 1);
  }

  private async obtainKeys(
    token: string,
    issuer: string | undefined,
    flags: { 'jwks-file'?: string; 'jwks-uri'?: string; 'ca-file'?: string; 'insecure-skip-tls-verify'?: boolean },
    timeoutMs: number,
  ): Promise<KeySourceFacts> {
    if (flags['jwks-file']) {
      const path = flags['jwks-file'];
      try {
        return { mode: 'jwks-file', jwks: { source: path, text: await readFile(path, 'utf8') } };
      } catch (e) {
        return { mode: 'jwks-file', jwks: { source: path, readError: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message } };
      }
    }
    const { fetchText, DEFAULT_FETCH } = await import('../adapters/http/fetch.js');
    const opts = { ...DEFAULT_FETCH, timeoutMs, insecureSkipTlsVerify: Boolean(flags['insecure-skip-tls-verify']) };
    if (flags['ca-file']) {
      try {
        Object.assign(opts, { ca: await readFile(flags['ca-file'], 'utf8') });
      } catch {
        throw new UsageError(`cannot read --ca-file ${flags['ca-file']}`);
      }
    }
    if (flags['jwks-uri']) {
      const uri = flags['jwks-uri'];
      const f = await fetchText(uri, opts);
      return { mode: 'jwks-uri', jwks: { source: uri, fetch: f, ...(f.ok ? { text: f.body } : {}) } };
    }
    const tokenIss = decodeForDisplay(token).claims?.['iss'];
    const from = issuer ?? (typeof tokenIss === 'string' && tokenIss !== '' ? tokenIss : undefined);
    if (from === undefined) {
      return { mode: 'none', noneReason: 'no --issuer, --jwks-uri or --jwks-file, and the token carries no iss to discover from' };
    }
    const { fetchDiscovery } = await import('../adapters/http/oidc.js');
    const d = await fetchDiscovery(from, opts);
    const facts: KeySourceFacts = {
      mode: 'discovery',
      discovery: { issuer: from, fromToken: issuer === undefined, fetch: d, ...(d.ok && d.document ? { document: d.document } : {}), ...(d.ok && d.invalid ? { invalid: d.invalid } : {}) },
    };
    const jwksUri = d.ok && d.document && typeof d.document['jwks_uri'] === 'string' ? d.document['jwks_uri'] : undefined;
    if (jwksUri !== undefined) {
      const f = await fetchText(jwksUri, opts);
      facts.jwks = { source: jwksUri, fetch: f, ...(f.ok ? { text: f.body } : {}) };
    }
    return facts;
  }
}

function parseNow(value: string | undefined): number {
  if (value === undefined) return Math.floor(Date.now() / 1000);
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new UsageError(`invalid --now ${JSON.stringify(value)}: use unix seconds or RFC 3339 (2026-12-03T10:00:00Z)`);
  }
  return Math.floor(ms / 1000);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readTokenText(arg: string | undefined, file: string | undefined): Promise<string> {
  if (arg !== undefined && file !== undefined) throw new UsageError('give the token either as an argument or with --token-file, not both');
  if (file !== undefined) {
    try {
      return await readFile(file === '-' ? '/dev/stdin' : file, 'utf8');
    } catch {
      throw new UsageError(`cannot read --token-file ${file}`);
    }
  }
  if (arg === '-') return readStdin();
  if (arg !== undefined) return arg;
  if (!process.stdin.isTTY) {
    const text = await readStdin();
    if (text.trim() !== '') return text;
  }
  throw new UsageError('no token given', [
    'kubectl omnia-auth check-token "$TOKEN" --issuer <issuer>',
    'kubectl omnia-auth check-token --token-file token.txt',
    'echo "$TOKEN" | kubectl omnia-auth check-token -',
  ]);
}
