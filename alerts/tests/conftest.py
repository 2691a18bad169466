import pytest
from django.utils import translation

from findings.tests.world import build_world


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run the tasks in the test process even where REDIS_URL configures a real broker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def world(municipality):
    municipality.hosts = "chihuahua.example"
    municipality.save()
    return build_world(municipality)


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
