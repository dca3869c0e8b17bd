#!/usr/bin/env bash
# `npm test`: installs what the tests need, starts services, checks types and import cycles, runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_node_modules
ensure_postgres
ensure_redis
ensure_chromium
bash scripts/prisma-generate.sh
say "Type-checking…"
node_modules/.bin/tsc --noEmit -p tsconfig.json
say "Checking for import cycles…"
node_modules/.bin/madge --circular --extensions ts --ts-config tsconfig.json --exclude '/generated/' bot coordinator agents memory perception connectors scripts >/tmp/coo-madge.log 2>&1 || { cat /tmp/coo-madge.log; exit 1; }
say "Checking the dependency rules…"
bash scripts/check-boundaries.sh
if [ $# -gt 0 ]; then
  node_modules/.bin/vitest run "$@"
else
  # The crash and restart suites SIGKILL real child processes and time their recovery: they run on
  # their own after the rest, so parallel files do not starve the processes they start and stop.
  say "Running the test suite…"
  node_modules/.bin/vitest run --exclude 'test/core/crash.test.ts' --exclude 'test/core/restart.test.ts'
  say "Running the crash and restart suites…"
  node_modules/.bin/vitest run test/core/crash.test.ts test/core/restart.test.ts --no-file-parallelism
fi
