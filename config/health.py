"""Checks behind /healthz: is each backing service usable right now?"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not usable"
        return False, type(error).__name__
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as error:  # noqa: BLE001
        return False, type(error).__name__
    return ok, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager"
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return False, type(error).__name__
    return True, app.conf.broker_url.split("://", 1)[0]


def health_report() -> tuple[bool, dict]:
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    report = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
    healthy = all(ok for ok, _ in checks.values())
    return healthy, {"status": "ok" if healthy else "error", "checks": report}
