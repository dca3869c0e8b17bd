#!/usr/bin/env bash
# `npm run up`: from a fresh clone to a running COO with its web console, on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_node_modules
ensure_postgres
ensure_redis
ensure_chroma
bash scripts/prisma-generate.sh
say "Applying database migrations…"
node_modules/.bin/tsx scripts/migrate.ts
exec node --import tsx scripts/start.ts "$@"
