#!/usr/bin/env bash
# make restore FILE=var/backups/<timestamp> [YES=1]: replaces the database (DATABASE_URL, or the
# embedded default) and the media with a backup made by scripts/backup.sh. FILE is the backup's
# directory or its database file. Asks first unless --yes or YES=1.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

file="" yes="${YES:-0}"
for arg in "$@"; do
  case $arg in
    --yes | -y) yes=1 ;;
    *) file=$arg ;;
  esac
done
if [[ -z $file ]]; then
  echo "usage: make restore FILE=var/backups/<timestamp> [YES=1]" >&2
  exit 2
fi
[[ -d $file ]] && dir=$file || dir=$(dirname "$file")
eval "$("$PY" scripts/dbinfo.py)"

if [[ $DB_KIND == postgis ]]; then dump="$dir/database.dump"; else dump="$dir/database.sqlite3"; fi
[[ -f $dump ]] || { echo "restore: no $dump (a $DB_KIND backup?)" >&2; exit 2; }

if [[ $yes != 1 ]]; then
  read -r -p "Replace the $DB_KIND database $DB_NAME and the media in $MEDIA_DIR with $dir? [y/N] " answer
  [[ $answer == [yYsS]* ]] || { echo "restore: cancelled" >&2; exit 1; }
fi

if [[ $DB_KIND == postgis ]]; then
  PGPASSWORD="$DB_PASSWORD" pg_restore --clean --if-exists --no-owner --exit-on-error \
    ${DB_HOST:+--host="$DB_HOST"} ${DB_PORT:+--port="$DB_PORT"} ${DB_USER:+--username="$DB_USER"} \
    --dbname="$DB_NAME" "$dump"
else
  mkdir -p "$(dirname "$DB_NAME")"
  "$PY" - "$dump" "$DB_NAME" <<'PYTHON'
import sqlite3, sys
source, destination = (sqlite3.connect(path) for path in sys.argv[1:3])
with destination:
    source.backup(destination)
source.close(); destination.close()
PYTHON
fi

if [[ -f $dir/media.tar.gz ]]; then
  mkdir -p "$MEDIA_DIR"
  tar -xzf "$dir/media.tar.gz" -C "$MEDIA_DIR"
fi
echo "restored $dir"
