#!/usr/bin/env node
// kubectl-omnia_auth: kubectl finds this executable on PATH and runs it as `kubectl omnia-auth`.
// The on-disk compile cache (Node >= 22.1) makes every start after the first one faster.
import module from 'node:module';

module.enableCompileCache?.();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
