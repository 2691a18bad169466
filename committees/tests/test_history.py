"""The public change history of an allocation (committees' page, reading audit.selectors)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from committees import services as committee_services
from committees.permissions import Participant
from committees.tests.factories import AllocationFactory, make_staff
from territory.tests.factories import ColoniaFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def staff(municipality):
    return make_staff(
        municipality=municipality, username="maria.lopez", email="maria.lopez@municipio.gob.mx"
    )


@pytest.fixture
def other(db):
    return MunicipalityFactory(name="Villaflores", slug="villaflores", state="Chiapas")


def test_allocation_history_is_public_and_names_no_one(client, municipality, staff):
    colonia = ColoniaFactory(municipality=municipality, name="Las Flores")
    allocation = committee_services.allocation_record(
        municipality=municipality,
        participant=Participant(is_staff=True),
        colonia=colonia,
        item="Láminas",
        quantity=Decimal("20"),
        unit="pieces",
        value=Decimal("4000.00"),
        delivered_on=datetime.date(2026, 1, 5),
        source="municipal",
        signed_by="Juana Gómez",
        user=staff,
    )
    url = reverse("committees:allocation_history", args=[allocation.pk])
    assert url == f"/allocations/{allocation.pk}/history/"
    response = client.get(url, **EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Láminas" in page and "Las Flores" in page and "4000.00" in page
    assert "Municipal staff" in page
    for private in ("maria.lopez", "municipio.gob.mx", "Juana Gómez"):
        assert private not in page


def test_allocation_history_of_another_municipality_is_404(client, municipality, other):
    foreign = AllocationFactory(municipality=other)
    url = reverse("committees:allocation_history", args=[foreign.pk])
    assert client.get(url, **EN).status_code == 404
