import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import Contract, ContractDocument
from contracts.tests.factories import CompanyFactory, ContractFactory, ObligationFactory
from territory.selectors import municipality_for_host
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceAreaFactory,
    ServiceTypeFactory,
    square,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def get(client, url, **params):
    return client.get(url, params, **EN)


def numbers(response):
    return [c.number for c in response.context["contracts"]]


@pytest.fixture
def other(db):
    return MunicipalityFactory(name="Villaflores", slug="villaflores", state="Chiapas")


# --- /contracts/ ----------------------------------------------------------------------------


def test_contract_list_shows_the_table_of_the_hosts_municipality(client, municipality, other):
    colonia = ColoniaFactory(municipality=municipality)
    spaces = [
        PublicSpaceFactory(municipality=municipality, geometry=square(-106.09 + n * 0.01, 28.62))
        for n in range(3)
    ]
    assert spaces[0].colonia == colonia
    contract = ContractFactory(
        municipality=municipality,
        number="SA/LP/011/2026",
        lot="11",
        company__legal_name="Jardines del Norte S.A. de C.V.",
        spaces=spaces,
    )
    ContractFactory(municipality=other, number="VF/001/2026")

    response = get(client, reverse("contracts:contract_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert numbers(response) == ["SA/LP/011/2026"]
    assert "VF/001/2026" not in html
    assert contract.get_absolute_url() in html
    assert contract.company.get_absolute_url() in html
    assert "Jardines del Norte S.A. de C.V." in html
    assert "$337,000.00" in html
    assert "In force" in html
    assert '<td class="num">3' in html  # spaces covered
    # The filter form works without JavaScript: a GET form with labelled fields.
    assert 'method="get"' in html
    for name in ("q", "service_type", "company", "status", "procurement_method", "directorate"):
        assert f'for="id_{name}"' in html and f'name="{name}"' in html


def test_contract_list_filters_by_each_field(client, municipality):
    lighting = ServiceTypeFactory(municipality=municipality, code="lighting", name="Alumbrado")
    directorate = DirectorateFactory(municipality=municipality)
    company = CompanyFactory(municipality=municipality, legal_name="Luminarias del Bajío")
    planned = ContractFactory(
        municipality=municipality,
        number="PLAN-1",
        start_date=TODAY + 10 * DAY,
        end_date=TODAY + 300 * DAY,
        procurement_method=Contract.ProcurementMethod.DIRECT,
    )
    ended = ContractFactory(
        municipality=municipality,
        number="END-1",
        start_date=TODAY - 300 * DAY,
        end_date=TODAY - DAY,
        title="Poda de árboles",
    )
    active = ContractFactory(
        municipality=municipality,
        number="ACT-1",
        service_type=lighting,
        directorate=directorate,
        company=company,
    )
    url = reverse("contracts:contract_list")

    assert set(numbers(get(client, url))) == {"PLAN-1", "END-1", "ACT-1"}
    assert numbers(get(client, url, status="planned")) == [planned.number]
    assert numbers(get(client, url, status="active")) == [active.number]
    assert numbers(get(client, url, status="ended")) == [ended.number]
    assert numbers(get(client, url, service_type=lighting.pk)) == [active.number]
    assert numbers(get(client, url, company=company.pk)) == [active.number]
    assert numbers(get(client, url, directorate=directorate.pk)) == [active.number]
    assert numbers(get(client, url, procurement_method="direct")) == [planned.number]
    assert numbers(get(client, url, q="end-")) == [ended.number]  # number
    assert numbers(get(client, url, q="poda")) == [ended.number]  # title
    assert numbers(get(client, url, q="bajío")) == [active.number]  # company
    assert numbers(get(client, url, q="nothing like it")) == []
    assert numbers(get(client, url, status="active", company=company.pk, q="ACT")) == ["ACT-1"]


def test_contract_list_filter_choices_belong_to_the_municipality(client, municipality, other):
    ContractFactory(municipality=municipality, company__legal_name="Propia S.C.")
    foreign = ContractFactory(municipality=other, company__legal_name="Ajena de Chiapas S.A.")

    response = get(client, reverse("contracts:contract_list"))
    html = response.content.decode()
    assert "Propia S.C." in html
    assert "Ajena de Chiapas" not in html

    # Another municipality's company is not a valid choice: it filters nothing out of view.
    response = get(client, reverse("contracts:contract_list"), company=foreign.company.pk)
    assert response.context["filter"].errors["company"]
    assert foreign.number not in numbers(response)


def test_contract_list_is_paginated_and_keeps_the_filters(client, municipality):
    for n in range(30):
        ContractFactory(municipality=municipality, number=f"P-{n:02d}", title="Poda")
    ContractFactory(municipality=municipality, number="OTHER", title="Bacheo")
    url = reverse("contracts:contract_list")

    first = get(client, url, q="poda")
    assert len(first.context["contracts"]) == 25
    assert first.context["page"].paginator.count == 30
    assert "q=poda&amp;page=2" in first.content.decode()

    second = get(client, url, q="poda", page=2)
    assert len(second.context["contracts"]) == 5
    assert "OTHER" not in numbers(second)
    assert not set(numbers(first)) & set(numbers(second))


@pytest.mark.parametrize("rows", [10, 200])
def test_contract_list_query_count_is_constant(
    client, municipality, django_assert_num_queries, rows
):
    spaces = PublicSpaceFactory.create_batch(2, municipality=municipality)
    area = ServiceAreaFactory(municipality=municipality)
    companies = CompanyFactory.create_batch(10, municipality=municipality)
    for n in range(rows):
        contract = ContractFactory(
            municipality=municipality, company=companies[n % 10], spaces=spaces
        )
        contract.service_areas.add(area)
    municipality_for_host("testserver")  # the host map is cached, as after the first request

    # 3 filter choices (service, company, directorate), count, page, the reviews' progress
    # (one aggregate); no savepoint: a page-cached view runs outside the request's transaction
    with django_assert_num_queries(6):
        response = get(client, reverse("contracts:contract_list"), status="active")
    assert response.status_code == 200
    assert len(response.context["contracts"]) == min(rows, 25)


def test_contract_list_without_any_municipality_is_404(client, db):
    assert get(client, reverse("contracts:contract_list")).status_code == 404


# --- /contracts/<id>/ -----------------------------------------------------------------------


def test_contract_detail_shows_amounts_with_and_without_vat(client, municipality):
    contract = ContractFactory(
        municipality=municipality,
        monthly_amount=Decimal("337000.00"),
        total_amount=Decimal("2022000.00"),
        amounts_include_vat=True,
    )
    html = get(client, contract.get_absolute_url()).content.decode()
    assert "$337,000.00" in html and "$290,517.24" in html  # 337,000 / 1.16
    assert "$2,022,000.00" in html and "$1,743,103.45" in html
    assert "with VAT included" in html

    before_vat = ContractFactory(
        municipality=municipality,
        monthly_amount=Decimal("100000.00"),
        total_amount=None,
        amounts_include_vat=False,
    )
    html = get(client, before_vat.get_absolute_url()).content.decode()
    assert "$100,000.00" in html and "$116,000.00" in html
    assert "quotes its amounts before VAT" in html


def test_contract_detail_shows_everything_a_citizen_checks(client, municipality, settings):
    colonia = ColoniaFactory(municipality=municipality, name="Colonia Centro")
    space = PublicSpaceFactory(
        municipality=municipality,
        code="AC-Z11-0077",
        name="Parque Lerdo",
        geometry=square(-106.09, 28.62),
    )
    assert space.colonia == colonia
    area = ServiceAreaFactory(municipality=municipality, code="RUTA-7", name="Ruta siete")
    contract = ContractFactory(
        municipality=municipality,
        number="SA/LP/077/2026",
        start_date=TODAY - 10 * DAY,
        end_date=TODAY + 10 * DAY,
        spaces=[space],
    )
    contract.service_areas.add(area)
    ObligationFactory(contract=contract, task="Corte de pasto", frequency_days=15)
    ObligationFactory(
        contract=contract, task="Reponer luminarias", frequency_days=None, response_time_hours=48
    )
    document = ContractDocument.objects.create(
        contract=contract,
        title="Contrato firmado",
        file=SimpleUploadedFile("contrato.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )

    response = get(client, contract.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert contract.company.legal_name in html and contract.company.get_absolute_url() in html
    assert "In force" in html
    assert "Corte de pasto" in html and "every 15 days" in html
    assert "Reponer luminarias" in html and "within 48 hours" in html
    assert f'href="{document.file.url}"' in html and document.file.url.endswith(".pdf")
    assert space.get_absolute_url() in html and "Parque Lerdo" in html and colonia.name in html
    assert "RUTA-7 Ruta siete" in html
    geojson_url = f"{reverse('territory:spaces_geojson')}?contract={contract.pk}"
    assert f'data-geojson-url="{geojson_url}"' in html
    assert "js/contract-map.js" in html


@pytest.mark.parametrize("spaces", [10, 200])
def test_contract_detail_query_count_is_constant(
    client, municipality, django_assert_num_queries, spaces
):
    contract = ContractFactory(
        municipality=municipality,
        spaces=PublicSpaceFactory.create_batch(spaces, municipality=municipality),
    )
    for n in range(5):
        ObligationFactory(contract=contract, task=f"Tarea {n}")
    municipality_for_host("testserver")

    # contract, obligations, documents, spaces, service areas, the findings panel's
    # compliance (one aggregate), the audit panel's change history (one query), the reviews
    # panel (its reviews, its filed transparency requests); no savepoint (page cache)
    with django_assert_num_queries(9):
        response = get(client, contract.get_absolute_url())
    assert len(response.context["contract"].spaces.all()) == spaces


def test_contract_detail_of_another_municipality_is_404(client, municipality, other):
    foreign = ContractFactory(municipality=other)
    assert get(client, foreign.get_absolute_url()).status_code == 404
    served = client.get(foreign.get_absolute_url(), HTTP_HOST="villaflores.localhost", **EN)
    assert served.status_code == 200


# --- /companies/<id>/ -----------------------------------------------------------------------


def test_company_detail_shows_contracts_totals_and_spaces(client, municipality):
    company = CompanyFactory(
        municipality=municipality,
        legal_name="Jardines del Norte S.A. de C.V.",
        rfc="JNO210101AB1",
        contact_name="Ana Pérez",
        phone="614 555 0101",
        contact_public=True,
    )
    shared, only_second = PublicSpaceFactory.create_batch(2, municipality=municipality)
    ContractFactory(
        municipality=municipality,
        company=company,
        number="C-1",
        monthly_amount=Decimal("100000.00"),
        total_amount=Decimal("600000.00"),
        amounts_include_vat=False,
        spaces=[shared],
    )
    ContractFactory(
        municipality=municipality,
        company=company,
        number="C-2",
        monthly_amount=Decimal("337000.00"),
        total_amount=Decimal("2022000.00"),
        spaces=[shared, only_second],
    )
    ContractFactory(municipality=municipality, number="NOT-THEIRS")

    response = get(client, company.get_absolute_url())

    html = response.content.decode()
    assert "JNO210101AB1" in html and "Ana Pérez" in html and 'href="tel:6145550101"' in html
    assert "C-1" in html and "C-2" in html and "NOT-THEIRS" not in html
    assert "$453,000.00" in html  # 116,000 + 337,000 a month, VAT included
    assert "$2,718,000.00" in html  # 696,000 + 2,022,000
    assert list(response.context["spaces"]) == [shared, only_second]
    assert "2 public spaces covered" in html


@pytest.mark.parametrize("rows", [10, 200])
def test_company_detail_query_count_is_constant(
    client, municipality, django_assert_num_queries, rows
):
    company = CompanyFactory(municipality=municipality)
    spaces = PublicSpaceFactory.create_batch(3, municipality=municipality)
    for _ in range(rows):
        ContractFactory(municipality=municipality, company=company, spaces=spaces)
    municipality_for_host("testserver")

    # company, contracts, spaces, the findings panels (compliance: 4 aggregates; fix rate:
    # 1), the reviews' observations across its contracts; no savepoint (page cache)
    with django_assert_num_queries(9):
        response = get(client, company.get_absolute_url())
    assert len(response.context["contracts"]) == rows


def test_company_detail_of_another_municipality_is_404(client, municipality, other):
    foreign = CompanyFactory(municipality=other)
    assert get(client, foreign.get_absolute_url()).status_code == 404


# --- In a real browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_contract_pages_on_a_phone_filter_without_js_and_pass_axe(
    live_server, phone_page, screenshot, axe
):
    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    space = PublicSpaceFactory(municipality=municipality, name="Parque Lerdo")
    contract = ContractFactory(municipality=municipality, number="SA/LP/011/2026", spaces=[space])
    ContractFactory(municipality=municipality, number="SA/LP/012/2026", title="Bacheo")
    ObligationFactory(contract=contract)
    page = phone_page

    page.goto(live_server.url + reverse("contracts:contract_list"))
    page.fill("#id_q", "011")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "q=011" in page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "SA/LP/011/2026" in rows.inner_text()
    screenshot(page, "contract-list")
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    page.click("text=SA/LP/011/2026")
    page.wait_for_load_state("load")
    assert page.locator("#contract-map.leaflet-container").count() == 1
    assert "Parque Lerdo" in page.inner_text(".space-list")
    screenshot(page, "contract-detail")
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
