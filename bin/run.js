#!/usr/bin/env node
// kubectl-omnia_auth: kubectl finds this executable on PATH and runs it as `kubectl omnia-auth`.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
