import pytest
from django.test import override_settings

from config import health


@pytest.mark.django_db
def test_healthz_is_ok_on_the_embedded_default_or_real_services(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "cache",
        "broker",
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unusable(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: (False, "OperationalError"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "detail": "OperationalError"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_fails(client, monkeypatch):
    class BrokenCache:
        def set(self, *args, **kwargs):
            raise ConnectionError("down")

    monkeypatch.setattr(health, "cache", BrokenCache())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


@pytest.mark.services
def test_broker_check_talks_to_the_real_redis():
    from django.conf import settings

    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    ok, detail = health.check_broker()
    assert (ok, detail) == (True, "redis")


@pytest.mark.services
def test_broker_check_fails_when_redis_is_unreachable():
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            ok, detail = health.check_broker()
    finally:
        app.conf.broker_url = original
    assert ok is False
    assert detail
