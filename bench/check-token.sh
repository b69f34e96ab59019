#!/usr/bin/env bash
# Startup cost of check-token, side by side with Node's bare start, in one hyperfine run.
# Goal (issue): median wall time of `check-token --jwks-file` (offline) and of `--help` at
# most 6x `node -e 0`, same Node. Usage: npm run build && bash bench/check-token.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 1; }
[ -f dist/commands/check-token.js ] || npm run build
out=${BENCH_OUT:-bench/results}
mkdir -p "$out"
node --version
hyperfine --warmup 3 --runs ${RUNS:-30} -N --export-json "$out/check-token.json" --export-markdown "$out/check-token.md" \
  -n 'node -e 0' 'node -e 0' \
  -n 'check-token --jwks-file' 'node bin/run.js check-token --token-file examples/token.txt --jwks-file examples/jwks.json --issuer https://idp.example.com/ --now 2026-12-03T11:30:00Z -o json' \
  -n 'kubectl omnia-auth --help' 'node bin/run.js --help' \
  -n 'check-token --help' 'node bin/run.js check-token --help'
node -e '
const r = require(process.argv[1]).results;
const base = r[0].median;
for (const x of r) console.log(`${x.command.padEnd(26)} median ${(x.median*1000).toFixed(1)} ms  = ${(x.median/base).toFixed(2)}x node -e 0`);
' "$PWD/$out/check-token.json"
