#!/usr/bin/env bash
# `make bench`: benchmarks against PostGIS; figures go to docs/benchmarks.md.
# On a fresh machine it first installs and starts what it needs, as .ci/run does: PostgreSQL
# with PostGIS and Redis (scripts/ensure-services.sh), wrk (load), Chromium and Node.js
# (Lighthouse, installed by bench/bench_lighthouse.py into bench/lighthouse/).
# DATABASE_URL defaults to a separate database, villaguard_bench, created (with PostGIS) if
# missing: the benchmark truncates its tables.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgis://postgres@127.0.0.1:5432/villaguard_bench}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.base}"
export DEBUG=false
PY="${PY:-.venv/bin/python}"

bash scripts/install-system-packages.sh wrk chromium $(command -v npm >/dev/null || echo nodejs npm)
bash scripts/ensure-services.sh villaguard_bench villaguard_perf villaguard_lighthouse

"$PY" bench/bench_map.py --ensure-database
"$PY" manage.py migrate --noinput -v 0
"$PY" bench/bench_map.py "$@"
# After the map benchmark: it empties the territory, contracts, guardians and findings tables.
# A missed target is reported (exit 1 at the end) without stopping the other benchmarks.
status=0
"$PY" bench/bench_reconcile.py || status=1
# As in production, the shared cache (and so the page cache's versions) is Redis: a database
# of its own, and tasks go to a broker database no worker reads (the measures need none).
REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}" \
REDIS_CACHE_URL="${BENCH_REDIS_CACHE_URL:-redis://127.0.0.1:6379/15}" \
DATABASE_URL="${BENCH_SCALE_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/villaguard_perf}" \
  "$PY" bench/bench_scale.py || status=1
# The workspace and its statistics at the metro tier (it generates the tier again: bench_scale
# ends on the national one), in the same database and Redis databases.
REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}" \
REDIS_CACHE_URL="${BENCH_REDIS_CACHE_URL:-redis://127.0.0.1:6379/15}" \
DATABASE_URL="${BENCH_SCALE_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/villaguard_perf}" \
  "$PY" bench/bench_workspace.py || status=1
# Mixed load with a real Celery worker: a database of its own (created if missing, the city
# tier generated in it) and a broker database that its worker alone reads.
REDIS_URL="${BENCH_MIXED_REDIS_URL:-redis://127.0.0.1:6379/12}" \
REDIS_CACHE_URL="${BENCH_MIXED_REDIS_CACHE_URL:-redis://127.0.0.1:6379/13}" \
DATABASE_URL="${BENCH_MIXED_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/villaguard_mixed}" \
  "$PY" bench/bench_mixed.py || status=1
# Phone budgets: production settings and the demo data in a database of their own.
env -u DJANGO_SETTINGS_MODULE -u DEBUG \
DATABASE_URL="${BENCH_LIGHTHOUSE_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/villaguard_lighthouse}" \
  "$PY" bench/bench_lighthouse.py || status=1
exit "$status"
