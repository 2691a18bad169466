import pytest

from territory.tests.factories import MunicipalityFactory


@pytest.fixture
def other(db):
    return MunicipalityFactory(name="Villaflores", slug="villaflores", state="Chiapas")
