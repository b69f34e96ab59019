// The one place where failures become what a user reads: a message, "Try this" actions, and
// the exit code of DESIGN.md (2 usage, 3 cannot reach or authenticate, 1 otherwise).
// Raw client exceptions never reach the terminal (client-node's carry headers and bodies).
import { redactJwtsIn } from '../core/jwt/token-input.js';

export type ExitCode = 0 | 1 | 2 | 3;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly suggestions: string[] = [],
    readonly code = 'error',
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string, suggestions: string[] = []) {
    super(message, 2, suggestions, 'usage');
  }
}

export class UnreachableError extends CliError {
  constructor(message: string, suggestions: string[] = [], code = 'unreachable') {
    super(message, 3, suggestions, code);
  }
}

interface OclifLike {
  oclif?: { exit?: number };
  parse?: unknown;
  message?: string;
}

/** Map anything thrown to a CliError. Unknown errors keep only their message, redacted. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const e = err as OclifLike & NodeJS.ErrnoException;
  if (e && typeof e === 'object') {
    // oclif's parser errors (unknown flag, missing arg, invalid option) carry exit 2.
    if (e.oclif?.exit === 2 || e.parse) {
      return new UsageError(firstLine(e.message ?? 'invalid usage'), ['See --help for the flags and examples.']);
    }
    if (e.code === 'ENOENT' && typeof e.path === 'string') {
      return new UsageError(`no such file: ${e.path}`);
    }
    if (e.code === 'EACCES' && typeof e.path === 'string') {
      return new UsageError(`permission denied: ${e.path}`);
    }
    if (e.code === 'EEXIT') {
      return new CliError('', (e.oclif?.exit ?? 0) as ExitCode);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(redactJwtsIn(firstLine(message)), 1, ['Re-run with DEBUG=kubectl-omnia-auth* for details, and report it if it persists.'], 'internal');
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
