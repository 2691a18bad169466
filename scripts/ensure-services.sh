#!/usr/bin/env bash
# Installs and starts what the PostGIS runs need, the way a fresh Debian/Ubuntu machine lacks
# them: PostgreSQL 15 with PostGIS and Redis from apt when missing, each server started when it
# does not answer, and each database named as an argument created with the postgis extension.
# Used by .ci/run (the suite) and bench/run.sh (`make bench`).
#
#   bash scripts/ensure-services.sh villaguard villaguard_bench
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-packages.sh postgresql-15 postgresql-15-postgis-3 redis-server

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect 15 main start || pg_ctlcluster 15 main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "== starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/villaguard.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

# Trust auth on 127.0.0.1 is expected; a machine without it falls back to the local socket.
psql_run() { # database, sql
  if psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -d "$1" -tAc "$2"
  else
    su postgres -c "psql -v ON_ERROR_STOP=1 -d '$1' -tAc \"$2\""
  fi
}
# Databases made from template1 (the test databases pytest-django creates) get PostGIS too.
psql_run template1 "CREATE EXTENSION IF NOT EXISTS postgis;" >/dev/null
for database in "$@"; do
  if [ "$(psql_run postgres "SELECT 1 FROM pg_database WHERE datname='$database'")" != "1" ]; then
    psql_run postgres "CREATE DATABASE $database;"
  fi
  psql_run "$database" "CREATE EXTENSION IF NOT EXISTS postgis;" >/dev/null
done
