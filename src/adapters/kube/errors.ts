// Typed failures of the Kubernetes adapter. lib/errors.ts is the one place that turns them
// into what a user reads (message, "Try this", exit code).

export type KubeConfigProblem = 'missing-file' | 'invalid' | 'no-config' | 'no-context' | 'auth';

export class KubeConfigError extends Error {
  constructor(readonly problem: KubeConfigProblem, message: string, readonly suggestions: string[] = []) {
    super(message);
  }
}

export type KubeApiFailure = 'unreachable' | 'timeout' | 'tls' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'server' | 'other';

export class KubeApiError extends Error {
  constructor(
    readonly failure: KubeApiFailure,
    message: string,
    readonly info: { status?: number; reason?: string; verb?: string; resource?: string; namespace?: string; name?: string; server?: string; body?: unknown } = {},
  ) {
    super(message);
  }
}
