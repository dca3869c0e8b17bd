#!/usr/bin/env bash
# Prisma 7's CLI wants to download a schema-engine binary even for `generate`, which only needs the
# bundled wasm; pointing the variable at any existing file skips that download (../shared/DEPENDENCIES.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}"
export PRISMA_HIDE_UPDATE_MESSAGE=1
npx prisma generate >/dev/null
