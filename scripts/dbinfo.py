"""Prints the database and media settings as shell assignments for backup.sh / restore.sh."""

import os
import shlex

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.conf import settings  # noqa: E402

db = settings.DATABASES["default"]
kind = "postgis" if db["ENGINE"].endswith("postgis") else "spatialite"
values = {
    "DB_KIND": kind,
    "DB_NAME": str(db["NAME"]),
    "DB_USER": db.get("USER") or "",
    "DB_PASSWORD": db.get("PASSWORD") or "",
    "DB_HOST": db.get("HOST") or "",
    "DB_PORT": str(db.get("PORT") or ""),
    "MEDIA_DIR": str(settings.MEDIA_ROOT),
}
for name, value in values.items():
    print(f"{name}={shlex.quote(value)}")
