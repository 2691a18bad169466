"""The map page (/map/) with its server-rendered list, and a space's page (/spaces/<code>/)."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from contracts.tests.factories import CompanyFactory, ContractFactory, ObligationFactory
from territory.tests.factories import (
    DirectorateFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    square,
)
from territory.tests.test_map_api import build_city

MAP_URL = reverse("territory:map")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def city(municipality):
    return build_city(municipality)


class FormReader(HTMLParser):
    """The #map-filters form as a browser sees it: its action, method and fields."""

    def __init__(self):
        super().__init__()
        self.form = None
        self.fields: dict[str, list[str]] = {}
        self._select = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "map-filters":
            self.form, self._inside = attrs, True
        elif self._inside and tag in ("input", "select"):
            self.fields.setdefault(attrs["name"], [])
            self._select = attrs["name"] if tag == "select" else None
        elif self._inside and tag == "option" and self._select:
            self.fields[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def read_form(response) -> FormReader:
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader


def listed_codes(response) -> list[str]:
    return re.findall(r'<li data-code="([^"]+)"', response.content.decode())


# --- /map/ ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_page_has_the_map_the_filter_form_and_the_text_list(client, city):
    response = client.get(MAP_URL, **EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="spaces-map"' in html
    assert f'data-geojson-url="{reverse("territory:spaces_geojson")}"' in html
    assert "leaflet/leaflet.js" in html and "js/map.js" in html
    assert listed_codes(response) == [
        "AC-Z11-0001",
        "AC-Z11-0002",
        "AC-Z12-0004",
        "AC-Z13-0005",
        "AL-0003",
    ]
    assert '<a href="/spaces/AL-0003/">' in html
    assert "Luz del Norte S.A." in html  # who is responsible, in the list
    form = read_form(response)
    assert form.form["method"] == "get" and form.form["action"] == MAP_URL
    assert set(form.fields) == {
        "q",
        "service",
        "company",
        "contract",
        "colonia",
        "layers",  # the layers' checkboxes (territory.layers) and the complaints' own filter
        "layer",
        "complaint_state",
    }


@pytest.mark.django_db
def test_map_page_is_compressed_and_blocks_nothing_before_its_first_paint(client, city):
    """Issue #17 (Lighthouse): the HTML is gzipped for clients that accept it, every script is
    deferred from the head (the map starts at DOMContentLoaded), and the filters' panel is
    closed in the markup itself (CSS shows it when scripting is off), so nothing moves later."""
    import gzip

    response = client.get(MAP_URL, HTTP_ACCEPT_ENCODING="gzip", **EN)
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert len(response.content) < len(html) / 3
    head = html.split("</head>", 1)[0]
    scripts = re.findall(r"<script src=[^>]*>", html)
    assert scripts and all(" defer" in tag for tag in scripts)
    assert "leaflet/leaflet.js" in head and "js/map-layers.js" in head
    assert '"DOMContentLoaded"' in html  # django-leaflet's loader waits for the deferred ones
    assert re.search(r'<div id="filters-panel" class="filters-panel" hidden>', html)
    assert not re.search(r'class="map-toolbar"[^>]*hidden', html)
    assert "Content-Encoding" not in client.get(MAP_URL, **EN)


@pytest.mark.django_db
def test_filter_form_submitted_as_a_browser_would_narrows_the_list(client, city):
    form = read_form(client.get(MAP_URL, **EN))
    assert str(city.luz.pk) in form.fields["company"]
    submitted = dict.fromkeys(form.fields, "")  # every field, empty as a browser sends it
    submitted["company"] = str(city.luz.pk)

    response = client.get(form.form["action"], submitted, **EN)

    assert response.status_code == 200
    assert listed_codes(response) == ["AL-0003"]
    assert "1 space" in response.content.decode()


@pytest.mark.django_db
def test_text_filter_and_colonia_filter(client, city):
    assert listed_codes(client.get(MAP_URL, {"q": "jardín"})) == ["AC-Z11-0002"]
    assert listed_codes(client.get(MAP_URL, {"colonia": city.norte.pk})) == ["AC-Z13-0005"]


@pytest.mark.django_db
def test_bad_filter_shows_the_error_and_no_spaces(client, city):
    response = client.get(MAP_URL, {"company": "999999"}, **EN)

    assert response.status_code == 400
    assert listed_codes(response) == []
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.django_db
def test_list_is_paginated_and_keeps_the_filters(client, municipality):
    for n in range(55):
        PublicSpaceFactory(municipality=municipality, code=f"P-{n:03d}", name=f"Parque {n}")

    first = client.get(MAP_URL, {"q": "parque"}, **EN)
    second = client.get(MAP_URL, {"q": "parque", "page": 2}, **EN)

    assert len(listed_codes(first)) == 50
    assert listed_codes(second) == [f"P-{n:03d}" for n in range(50, 55)]
    assert "?q=parque&amp;page=2" in first.content.decode()


@pytest.mark.django_db
def test_map_list_shows_only_this_municipality(client, city):
    other = MunicipalityFactory(slug="villaflores")
    PublicSpaceFactory(municipality=other, code="VF-0001")
    assert "VF-0001" not in listed_codes(client.get(MAP_URL))
    assert listed_codes(client.get(MAP_URL, HTTP_HOST="villaflores.localhost")) == ["VF-0001"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_map_page_query_count_does_not_grow_with_the_spaces(
    client, municipality, django_assert_num_queries, count
):
    company = CompanyFactory(municipality=municipality)
    spaces = [PublicSpaceFactory(municipality=municipality) for _ in range(count)]
    ContractFactory(municipality=municipality, company=company, spaces=spaces)
    client.get(MAP_URL)  # caches the host → municipality map

    # savepoint, the company filter's validation, the counts of every list (spaces,
    # complaints, works: one statement), the page of spaces, the four filter choices (the
    # contracts' with their companies), the service types behind every layer's legend, release
    # (no complaints or works: no page of them)
    with django_assert_num_queries(10):
        response = client.get(MAP_URL, {"company": company.pk})
    assert len(listed_codes(response)) == min(count, 50)
    assert company.legal_name in response.content.decode()


# --- /spaces/<code>/ -----------------------------------------------------------------------


@pytest.mark.django_db
def test_space_page_shows_the_company_contract_obligations_and_directorate(client, city):
    ObligationFactory(
        contract=city.contract_b,
        task="Reponer luminarias",
        frequency_days=None,
        response_time_hours=48,
    )
    ObligationFactory(contract=city.contract_b, task="Revisar circuitos", frequency_days=7)

    response = client.get(reverse("territory:space_detail", args=["AL-0003"]), **EN)

    assert response.status_code == 200
    html = response.content.decode()
    responsible = html[html.index('id="responsible"') :].split("</dd>")[0]
    assert f'href="{reverse("contracts:company_detail", args=[city.luz.pk])}"' in responsible
    assert "Luz del Norte S.A." in responsible
    assert f'href="{reverse("contracts:contract_detail", args=[city.contract_b.pk])}"' in html
    assert "AL-02/2026" in html and "LP-09/2025" not in html
    assert "Reponer luminarias" in html and "48 hours" in html
    assert "Revisar circuitos" in html and "every 7 days" in html
    assert "Parques y Jardines" in html
    assert city.parks.email in html and "614 200 4800" in html
    assert "Centro" in html
    area = f"{round(city.lamp_c.area_m2):,}"
    assert f"{area} m²" in html


@pytest.mark.django_db
def test_space_kept_by_the_municipality_shows_its_directorate_as_responsible(client, city):
    response = client.get(reverse("territory:space_detail", args=["AC-Z12-0004"]), **EN)

    html = response.content.decode()
    responsible = html[html.index('id="responsible"') :].split("</dd>")[0]
    assert "Parques y Jardines" in responsible
    assert "kept by the municipality itself" in responsible
    assert "LP-01/2020" not in html  # the ended contract is not the one in force
    assert "No contract in force covers this space." in html


@pytest.mark.django_db
def test_space_page_embeds_its_polygon_as_geojson(client, city):
    response = client.get(reverse("territory:space_detail", args=["AC-Z11-0001"]))

    script = re.search(
        r'<script id="space-feature" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    feature = json.loads(script.group(1))
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["geometry"]["coordinates"][0][0][0] == [-106.080123, 28.610123]


@pytest.mark.django_db
def test_space_page_is_404_for_an_unknown_code_or_another_municipality(client, city):
    other = MunicipalityFactory(slug="villaflores")
    PublicSpaceFactory(municipality=other, code="VF-0001", geometry=square(-93.3, 16.2))

    assert client.get(reverse("territory:space_detail", args=["NOPE"])).status_code == 404
    assert client.get(reverse("territory:space_detail", args=["VF-0001"])).status_code == 404
    assert (
        client.get(
            reverse("territory:space_detail", args=["VF-0001"]), HTTP_HOST="villaflores.localhost"
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_space_page_query_count(client, city, django_assert_num_queries):
    for n in range(5):
        ObligationFactory(contract=city.contract_a, task=f"Tarea {n}")
    url = reverse("territory:space_detail", args=["AC-Z11-0001"])
    client.get(url)

    # space (with colonia and directorate), contract in force, obligations, the guardians'
    # panel (card totals, failing items), the complaints' panel (open ones with the counts:
    # one statement), the findings' panel (counts); no transaction: the view only reads
    with django_assert_num_queries(7):
        response = client.get(url, **EN)
    assert response.content.decode().count("Tarea ") == 5
    assert "X-Page-Cache" not in response.headers  # tests/test_pagecache.py: the next one


@pytest.mark.django_db
def test_a_directorate_without_phone_hides_the_phone(client, municipality):
    directorate = DirectorateFactory(municipality=municipality, name="Aseo Urbano", phone="")
    PublicSpaceFactory(municipality=municipality, code="S-1", directorate=directorate)
    html = client.get(reverse("territory:space_detail", args=["S-1"]), **EN).content.decode()
    assert "Aseo Urbano" in html and "Phone" not in html
