// The one place where failures become what a user reads: a message, "Try this" actions, and
// the exit code of DESIGN.md (2 usage, 3 cannot reach or authenticate, 1 otherwise).
// Raw client exceptions never reach the terminal (client-node's carry headers and bodies).
import { ManifestError } from '../adapters/files.js';
import { KubeApiError, KubeConfigError } from '../adapters/kube/errors.js';
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
  if (err instanceof KubeConfigError) {
    return err.problem === 'missing-file' || err.problem === 'invalid'
      ? new UsageError(err.message, err.suggestions)
      : new UnreachableError(err.message, err.suggestions, 'kubeconfig');
  }
  if (err instanceof KubeApiError) return fromKubeApiError(err);
  if (err instanceof ManifestError) return new UsageError(err.message);
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

/** Kubernetes API failures, worded for a user, with what to try. */
export function fromKubeApiError(e: KubeApiError): CliError {
  const { verb, resource, namespace, server } = e.info;
  const what = verb && resource ? `${verb} ${resource}${namespace ? ` in namespace ${namespace}` : ''}` : 'the request';
  switch (e.failure) {
    case 'unreachable':
      return new UnreachableError(e.message, ['Is the cluster running and the context right? kubectl cluster-info', 'Pick another context: --context <name>'], 'unreachable');
    case 'timeout':
      return new UnreachableError(e.message, ['Raise --request-timeout, or check the network path to the API server.'], 'timeout');
    case 'tls':
      return new UnreachableError(e.message, ['The API server certificate does not match the kubeconfig CA: kubectl config view --minify'], 'tls');
    case 'unauthorized':
      return new UnreachableError(`the API server at ${server ?? '?'} rejected the credentials (401 Unauthorized)`, ['Refresh your credentials (token expired?): kubectl get --raw /version'], 'unauthorized');
    case 'forbidden':
      return new UnreachableError(`forbidden: cannot ${what} (${redactJwtsIn(e.message)})`, [`kubectl auth can-i ${verb ?? 'list'} ${resource ?? '<resource>'}${namespace ? ` -n ${namespace}` : ' -A'}`], 'forbidden');
    case 'not-found':
      return new CliError(`not found: ${redactJwtsIn(e.message)}`, 1, [], 'not-found');
    case 'conflict':
      return new CliError(`conflict: ${redactJwtsIn(e.message)}`, 1, [], 'conflict');
    case 'invalid':
      return new CliError(`rejected by the API server: ${redactJwtsIn(e.message)}`, 1, [], 'invalid');
    default:
      return new UnreachableError(`the API server failed ${what}: ${redactJwtsIn(e.message)}`, ['Retry; if it persists, check the API server logs.'], 'server');
  }
}
