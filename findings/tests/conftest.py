import pytest

from .world import build_world


@pytest.fixture
def world(municipality):
    return build_world(municipality)


@pytest.fixture
def eager_celery():
    """Run tasks inline even when REDIS_URL configures a real broker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous
