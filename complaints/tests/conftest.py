import pytest
from django.utils import translation

from territory.models import ServiceType
from territory.tests.factories import ColoniaFactory, DirectorateFactory, ServiceTypeFactory

from .factories import make_user


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def lighting(municipality):
    return ServiceTypeFactory(
        municipality=municipality,
        code="lighting",
        name="Street lighting",
        category=ServiceType.Category.LIGHTING,
    )


@pytest.fixture
def green(municipality):
    return ServiceTypeFactory(municipality=municipality, code="green-spaces", name="Green spaces")


@pytest.fixture
def directorate(municipality, lighting):
    directorate = DirectorateFactory(municipality=municipality, name="Alumbrado Público")
    directorate.services.add(lighting)
    return directorate


@pytest.fixture
def colonia(municipality):
    # A 0.05° square whose south-west corner is (-106.10, 28.60): contains (-106.08, 28.63).
    return ColoniaFactory(municipality=municipality, name="Centro")


@pytest.fixture
def staff_user(municipality, directorate):
    return make_user(
        municipality=municipality,
        directorate=directorate,
        roles=["directorate_staff"],
        username="alumbrado",
    )


@pytest.fixture
def sindicatura_user(municipality):
    return make_user(municipality=municipality, roles=["municipal_staff"], username="sindico")


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _celery_eager():
    """On PostGIS + Redis Celery is not eager: run the tasks in the test process all the same
    (the tests check what a task does, not the broker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
