#!/usr/bin/env bash
# Shared by up.sh and test.sh: make PostgreSQL and Redis reachable on 127.0.0.1, installing them from
# Debian's packages when missing and we are root, else saying exactly what to run.
set -uo pipefail

say() { printf '\033[1m[coo]\033[0m %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=0
apt_install() {
  if ! is_root; then say "Missing: $*. Run: sudo apt-get install -y $*"; return 1; fi
  if [ $apt_updated = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }

ensure_postgres() {
  pg_up && return 0
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    say "PostgreSQL is not installed; installing it from Debian's packages…"
    apt_install postgresql || return 1
  fi
  local ver
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$ver" ]; then say "No PostgreSQL cluster found under /etc/postgresql. Run: sudo pg_createcluster <version> main --start"; return 1; fi
  # Trust local TCP connections, as the default DATABASE_URL (postgres@127.0.0.1, no password) expects.
  local hba="/etc/postgresql/$ver/main/pg_hba.conf"
  if is_root && [ -f "$hba" ] && ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  say "Starting PostgreSQL $ver…"
  if is_root; then pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  else say "Run: sudo pg_ctlcluster --skip-systemctl-redirect $ver main start"; return 1; fi
  for _ in $(seq 1 30); do pg_up && return 0; sleep 0.5; done
  say "PostgreSQL did not come up on 127.0.0.1:5432; see /var/log/postgresql/."; return 1
}

ensure_redis() {
  redis_up && return 0
  if ! command -v redis-server >/dev/null 2>&1; then
    say "Redis is not installed; installing it from Debian's packages…"
    apt_install redis-server || return 1
  fi
  say "Starting Redis…"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis_up && return 0; sleep 0.3; done
  say "Redis did not come up on 127.0.0.1:6379."; return 1
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  say "Installing Debian's chromium for the browser tests…"
  apt_install chromium
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing npm dependencies (npm ci)…"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

chroma_up() { (exec 3<>/dev/tcp/127.0.0.1/${COO_CHROMA_PORT:-8000}) 2>/dev/null; }

# Chroma (the memory's vector index) from its npm package; optional: memory works on Postgres alone.
ensure_chroma() {
  chroma_up && return 0
  local dir="${COO_DATA_DIR:-.coo}/chroma"
  mkdir -p "$dir"
  say "Starting Chroma on 127.0.0.1:${COO_CHROMA_PORT:-8000} (data in $dir)…"
  nohup node_modules/.bin/chroma run --path "$dir" --host 127.0.0.1 --port "${COO_CHROMA_PORT:-8000}" >"${COO_DATA_DIR:-.coo}/chroma.log" 2>&1 &
  for _ in $(seq 1 50); do chroma_up && return 0; sleep 0.2; done
  say "Chroma did not come up (see ${COO_DATA_DIR:-.coo}/chroma.log); memory will run on Postgres only."; return 0
}
