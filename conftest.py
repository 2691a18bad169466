"""Shared fixtures for the whole suite."""

import os

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def services_configured() -> bool:
    uses_postgis = settings.DATABASES["default"]["ENGINE"].endswith("postgis")
    return uses_postgis and bool(settings.REDIS_URL)


@pytest.fixture(autouse=True)
def _services_gate(request):
    """Tests marked ``services`` need PostGIS and a Redis broker. With REQUIRE_SERVICES=1 (CI)
    a missing service fails the test; otherwise (a laptop on the embedded default) it is
    skipped with the reason. CI's embedded run deselects them with ``-m "not services"``."""
    if request.node.get_closest_marker("services") and not services_configured():
        message = "needs DATABASE_URL=postgis://… and REDIS_URL=redis://…"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def municipality(db):
    from territory.tests.factories import MunicipalityFactory

    return MunicipalityFactory(is_default=True)


@pytest.fixture
def chihuahua_point():
    return Point(-106.08, 28.63, srid=4326)
