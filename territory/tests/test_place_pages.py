"""A service area's page (/areas/<pk>/) and a colonia's page (/colonias/<pk>/): scoping, 404s,
the contract in force, the panels of the other apps and constant query counts."""

import datetime

import pytest
from django.urls import reverse

from contracts.tests.factories import CompanyFactory, ContractFactory
from territory.tests.factories import (
    ColoniaFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceAreaFactory,
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
        space = PublicSpaceFactory(municipality=municipality, name="Parque Lerdo")
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
        space = PublicSpaceFactory(municipality=municipality)
        body = client.get(space.get_absolute_url()).content.decode()
        assert colonia_url(colonia) in body
