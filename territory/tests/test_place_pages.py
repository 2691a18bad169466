"""A service area's page (/areas/<pk>/) and a colonia's page (/colonias/<pk>/): scoping, 404s,
the contract in force, the panels of the other apps and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.tests.factories import CompanyFactory, ContractFactory
from territory.tests.factories import (
    ColoniaFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceAreaFactory,
    square,
)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def area_url(area) -> str:
    return reverse("territory:area_detail", kwargs={"pk": area.pk})


def colonia_url(colonia) -> str:
    return reverse("territory:colonia_detail", kwargs={"pk": colonia.pk})


def _in_force(municipality, **kwargs):
    today = datetime.date.today()
    return ContractFactory(
        municipality=municipality,
        company=CompanyFactory(municipality=municipality),
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
        **kwargs,
    )


@pytest.mark.django_db
class TestAreaPage:
    def test_shows_the_company_in_force(self, client, municipality):
        area = ServiceAreaFactory(municipality=municipality, name="Ruta Norte 7")
        contract = _in_force(municipality, service_type=area.service_type)
        contract.service_areas.add(area)
        response = client.get(area_url(area), **EN)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Ruta Norte 7" in body
        assert contract.company.legal_name in body
        assert contract.number in body

    def test_unknown_area_is_404(self, client, municipality):
        response = client.get(reverse("territory:area_detail", kwargs={"pk": 987654}))
        assert response.status_code == 404

    def test_another_municipalitys_area_is_404(self, client, municipality):
        other = MunicipalityFactory(slug="otro-area")
        area = ServiceAreaFactory(municipality=other)
        assert client.get(area_url(area)).status_code == 404


@pytest.mark.django_db
class TestColoniaPage:
    def test_lists_spaces_and_areas_with_companies(self, client, municipality):
        colonia = ColoniaFactory(municipality=municipality, name="Colonia Centro")
        space = PublicSpaceFactory(
            municipality=municipality, name="Parque Lerdo", geometry=inside(colonia)
        )
        assert space.colonia == colonia
        contract = _in_force(municipality)
        contract.spaces.add(space)
        area = ServiceAreaFactory(municipality=municipality, name="Ruta Centro")
        area_contract = _in_force(municipality, service_type=area.service_type)
        area_contract.service_areas.add(area)
        body = client.get(colonia_url(colonia), **EN).content.decode()
        assert "Parque Lerdo" in body and contract.company.legal_name in body
        assert "Ruta Centro" in body and area_contract.company.legal_name in body
        assert area_url(area) in body

    def test_unknown_colonia_is_404(self, client, municipality):
        response = client.get(reverse("territory:colonia_detail", kwargs={"pk": 987654}))
        assert response.status_code == 404

    def test_another_municipalitys_colonia_is_404(self, client, municipality):
        other = MunicipalityFactory(slug="otro-colonia")
        colonia = ColoniaFactory(municipality=other)
        assert client.get(colonia_url(colonia)).status_code == 404

    def test_another_municipalitys_rows_never_show(self, client, municipality):
        colonia = ColoniaFactory(municipality=municipality)
        other = MunicipalityFactory(slug="otro-filas")
        ColoniaFactory(municipality=other, name=colonia.name)
        PublicSpaceFactory(municipality=other, name="Parque Ajeno")
        ServiceAreaFactory(municipality=other, name="Ruta Ajena")
        body = client.get(colonia_url(colonia), **EN).content.decode()
        assert "Parque Ajeno" not in body and "Ruta Ajena" not in body

    def test_space_page_links_to_its_colonia(self, client, municipality):
        colonia = ColoniaFactory(municipality=municipality)
        space = PublicSpaceFactory(municipality=municipality, geometry=inside(colonia))
        body = client.get(space.get_absolute_url()).content.decode()
        assert colonia_url(colonia) in body


_placed = iter(range(10_000))


def inside(colonia):
    """A small square inside the colonia's boundary (the factories' 0.05° square), a new one
    at each call: the factory's own sequence may place a space outside it."""
    west, south = colonia.geometry.extent[:2]
    n = next(_placed) % 900
    return square(west + 0.002 + (n % 30) * 0.0015, south + 0.002 + (n // 30) * 0.0015)


def _finding(municipality, service_type, space, status="open"):
    from findings.models import Finding

    today = datetime.date.today()
    return Finding.objects.create(
        municipality=municipality,
        kind="unreported",
        severity=2,
        status=status,
        service_type=service_type,
        space=space,
        colonia=space.colonia,
        item_code="grass",
        item_text="Pasto crecido",
        period_start=today,
        period_end=today,
        response_hours=72,
        due_at="2026-01-02T00:00Z",
        created_at="2026-01-01T00:00Z",
        updated_at="2026-01-01T00:00Z",
    )


def fill_colonia(municipality, colonia, n: int):
    """``n`` of everything the colonia page shows: spaces with contracts, areas, complaints
    (open and resolved), findings, guardians, cards' colonia, committees, needs, works."""
    from committees.tests.factories import (
        CitizenCommitteeFactory,
        NeedFactory,
        PublicWorkFactory,
    )
    from complaints.services import complaint_change_status
    from complaints.tests.factories import make_complaint
    from guardians.tests.factories import GuardianFactory
    from territory.tests.factories import ServiceTypeFactory

    green = ServiceTypeFactory(municipality=municipality)
    for index in range(n):
        space = PublicSpaceFactory(municipality=municipality, geometry=inside(colonia))
        _in_force(municipality, service_type=green).spaces.add(space)
        area = ServiceAreaFactory(municipality=municipality)
        _in_force(municipality, service_type=area.service_type).service_areas.add(area)
        complaint = make_complaint(
            municipality=municipality,
            service_type=green,
            lon=space.centroid.x,
            lat=space.centroid.y,
        )
        if index % 2:
            complaint_change_status(complaint=complaint, status="resolved")
        _finding(municipality, green, space, status="verified" if index % 2 else "open")
        GuardianFactory(municipality=municipality, colonia=colonia)
        committee = CitizenCommitteeFactory(municipality=municipality, communities=[colonia])
        NeedFactory(municipality=municipality, colonia=colonia, committee=committee)
        PublicWorkFactory(municipality=municipality).communities.add(colonia)


@pytest.mark.django_db
class TestPlacePanels:
    def test_space_page_offers_the_three_actions_in_order(self, client, municipality):
        space = PublicSpaceFactory(municipality=municipality)
        body = client.get(space.get_absolute_url(), **EN).content.decode()
        report = body.index(f'href="/complaints/new/?space={space.code}"')
        join = body.index(f'href="/guardians/join/?space={space.code}"')
        assert "Report a problem here" in body and "Become a guardian of this space" in body
        assert report < join
        assert 'id="actions-heading"' in body

    def test_area_page_offers_to_report_there(self, client, municipality):
        area = ServiceAreaFactory(municipality=municipality)
        body = client.get(area_url(area), **EN).content.decode()
        assert f'href="/complaints/new/?area={area.pk}"' in body

    def test_colonia_page_shows_every_apps_panel(self, client, municipality):
        colonia = ColoniaFactory(municipality=municipality, name="Santa Rosa")
        fill_colonia(municipality, colonia, 2)
        response = client.get(colonia_url(colonia), **EN)
        body = response.content.decode()
        assert "Complaints here" in body and 'id="place-points"' in body
        assert "50 %" in body  # one of the two complaints resolved; one of two findings verified
        assert "Citizen guardians" in body and "active guardians" in body
        assert "Committee of Citizen Participation" in body and "Pavimentación" in body
        assert "Needs by category" in body
        assert "Failures found by the Sindicatura" in body

    def test_colonia_points_are_at_public_precision(self, client, municipality):
        import json
        import re

        colonia = ColoniaFactory(municipality=municipality)
        fill_colonia(municipality, colonia, 1)
        body = client.get(colonia_url(colonia)).content.decode()
        data = json.loads(
            re.search(r'<script id="place-points" type="application/json">(.*?)</script>', body)[1]
        )
        for feature in data["features"]:
            for value in feature["geometry"]["coordinates"]:
                assert round(value, 3) == value

    def test_colonia_page_never_shows_another_municipalitys_complaints(self, client, municipality):
        colonia = ColoniaFactory(municipality=municipality)
        other = MunicipalityFactory(slug="otro-panel")
        other_colonia = ColoniaFactory(municipality=other, geometry=colonia.geometry)
        fill_colonia(other, other_colonia, 2)
        body = client.get(colonia_url(colonia), **EN).content.decode()
        assert "No open complaints." in body
        assert "This colonia has no committee yet." in body
        assert "Pavimentación" not in body

    @pytest.mark.parametrize("view", ["colonia", "area", "space"])
    def test_constant_queries_at_two_sizes(self, client, municipality, view):
        colonia = ColoniaFactory(municipality=municipality)

        def url():
            if view == "colonia":
                return colonia_url(colonia)
            if view == "area":
                from territory.models import ServiceArea

                return area_url(ServiceArea.objects.order_by("pk").first())
            from territory.models import PublicSpace

            return PublicSpace.objects.order_by("pk").first().get_absolute_url()

        fill_colonia(municipality, colonia, 2)
        # Warmed right before each measure: the host → municipality map is kept 5 s per process.
        client.get(url())
        with CaptureQueriesContext(connection) as small:
            assert client.get(url(), **EN).status_code == 200
        fill_colonia(municipality, colonia, 12)
        client.get(url())
        with CaptureQueriesContext(connection) as large:
            assert client.get(url(), **EN).status_code == 200
        assert len(small) == len(large), [q["sql"] for q in large.captured_queries]
        assert len(large) <= 10, [q["sql"][:120] for q in large.captured_queries]
