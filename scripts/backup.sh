#!/usr/bin/env bash
# make backup: a consistent copy of the database and the uploaded media in
# ${BACKUP_ROOT:-var/backups}/<timestamp>/, whose path is printed last.
#   PostGIS (DATABASE_URL=postgis://…): pg_dump -Fc → database.dump
#   SpatiaLite (the embedded default):  SQLite's online backup → database.sqlite3
#   media:                              media.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
eval "$("$PY" scripts/dbinfo.py)"

target="${BACKUP_ROOT:-var/backups}/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target"

if [[ $DB_KIND == postgis ]]; then
  PGPASSWORD="$DB_PASSWORD" pg_dump --format=custom --no-owner \
    ${DB_HOST:+--host="$DB_HOST"} ${DB_PORT:+--port="$DB_PORT"} ${DB_USER:+--username="$DB_USER"} \
    --file="$target/database.dump" "$DB_NAME"
else
  [[ -f $DB_NAME ]] || { echo "backup: no database at $DB_NAME" >&2; exit 1; }
  # The online backup API copies a consistent snapshot even while the portal writes.
  "$PY" - "$DB_NAME" "$target/database.sqlite3" <<'PYTHON'
import sqlite3, sys
source, destination = (sqlite3.connect(path) for path in sys.argv[1:3])
with destination:
    source.backup(destination)
source.close(); destination.close()
PYTHON
fi

if [[ -d $MEDIA_DIR ]]; then
  tar -czf "$target/media.tar.gz" -C "$MEDIA_DIR" .
fi
echo "$target"
