#!/usr/bin/env bash
# The architecture's import rules, checked rather than hoped for.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
check() { # description, grep pattern, paths…
  local what="$1" pat="$2"; shift 2
  local hits
  hits=$(grep -rnE "$pat" "$@" --include='*.ts' 2>/dev/null | grep -v '/generated/' || true)
  if [ -n "$hits" ]; then echo "Boundary broken: $what"; echo "$hits"; fail=1; fi
}
check "the coordinator, agents, memory, perception and connectors import no chat SDK or bot/" \
  "from ['\"](grammy|@slack/bolt|telegraf)|from ['\"][./]*bot/" coordinator agents memory perception connectors
check "only agents/model/ imports openai" "from ['\"]openai['\"]" bot coordinator memory perception connectors
hits=$(grep -rnP "from ['\"](\.\./)+coordinator/(?!index\.ts)" bot --include='*.ts' || true)
[ -n "$hits" ] && { echo "Boundary broken: bot/ imports coordinator internals:"; echo "$hits"; fail=1; }
check "process definitions stay pure (no prisma, connectors, adapters, node:*)" \
  "from ['\"](node:|@prisma|pg['\"]|ioredis|bullmq)|from ['\"][./]*(connectors|bot)/" coordinator/processes
exit $fail
