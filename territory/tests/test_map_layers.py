"""The map's five layers (territory.layers): the registry, /api/layers/<key>.geojson and
/api/layers/nearest.json."""

import datetime
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from committees.models import WorkProgress
from committees.tests.factories import PublicWorkFactory
from complaints.models import Complaint
from complaints.public import public_coordinates
from complaints.tests.factories import make_complaint
from territory import layers as map_layers
from territory.models import ServiceType
from territory.tests.factories import (
    ColoniaFactory,
    MunicipalityFactory,
    ServiceAreaFactory,
    ServiceTypeFactory,
    square,
)

CITY_BBOX = "-106.2,28.5,-105.9,28.8"
NEAREST_URL = reverse("territory:layers_nearest")


def layer_url(key: str) -> str:
    return reverse("territory:layer_geojson", kwargs={"key": key})


def features(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )["features"]


def build_layers(municipality, *, complaints=3, works=2):
    """Complaints (open, recently closed, long closed, unplaced), works, two kinds of area."""
    lighting = ServiceTypeFactory(
        municipality=municipality,
        code="lighting",
        name="Alumbrado",
        color="#f2a900",
        category=ServiceType.Category.LIGHTING,
    )
    garbage = ServiceTypeFactory(
        municipality=municipality,
        code="garbage",
        name="Recolección de basura",
        color="#6a3d9a",
        category=ServiceType.Category.GARBAGE,
    )
    colonia = ColoniaFactory(
        municipality=municipality, name="Obras Centro", geometry=square(-106.10, 28.60, 0.05)
    )
    opened = [
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            lon=-106.08123 + n * 0.0021,
            lat=28.63456 + n * 0.0013,
        )
        for n in range(complaints)
    ]
    recently_closed = make_complaint(
        municipality=municipality, service_type=garbage, lon=-106.07111, lat=28.62222
    )
    long_closed = make_complaint(
        municipality=municipality, service_type=garbage, lon=-106.07333, lat=28.62444
    )
    unplaced = make_complaint(
        municipality=municipality, service_type=garbage, lon=None, address="Calle 5 #12"
    )
    now = timezone.now()
    Complaint.private_objects.filter(pk=recently_closed.pk).update(
        status=Complaint.Status.CLOSED, updated_at=now - datetime.timedelta(days=3)
    )
    Complaint.private_objects.filter(pk=long_closed.pk).update(
        status=Complaint.Status.CLOSED, updated_at=now - datetime.timedelta(days=90)
    )
    work_rows = []
    for n in range(works):
        work = PublicWorkFactory(
            municipality=municipality,
            location=Point(-106.085 + n * 0.003, 28.631, srid=4326),
        )
        work.communities.add(colonia)
        WorkProgress.objects.create(work=work, reported_on=datetime.date(2026, 1, 1), percent=10)
        WorkProgress.objects.create(work=work, reported_on=datetime.date(2026, 3, 1), percent=60)
        work_rows.append(work)
    PublicWorkFactory(municipality=municipality, location=None)  # nowhere to draw it
    route = ServiceAreaFactory(
        municipality=municipality,
        service_type=garbage,
        code="R-01",
        name="Ruta Centro",
        geometry=square(-106.09, 28.61, 0.02),
    )
    lamps = ServiceAreaFactory(
        municipality=municipality,
        service_type=lighting,
        code="AL-01",
        name="Sector alumbrado 1",
        geometry=square(-106.08, 28.62, 0.02),
    )
    return {
        "open": opened,
        "recently_closed": recently_closed,
        "long_closed": long_closed,
        "unplaced": unplaced,
        "works": work_rows,
        "route": route,
        "lamps": lamps,
        "colonia": colonia,
        "lighting": lighting,
        "garbage": garbage,
    }


@pytest.fixture
def city(municipality):
    return build_layers(municipality)


# --- The registry --------------------------------------------------------------------------


def test_the_registry_gives_five_layers_from_three_apps():
    layers = map_layers.map_layers()
    assert [layer.key for layer in layers] == [
        "spaces",
        "garbage",
        "lighting",
        "complaints",
        "works",
    ]
    assert [layer.key for layer in map_layers.enabled_layers(None)] == [
        "spaces",
        "complaints",
        "works",
    ]
    assert [layer.key for layer in map_layers.enabled_layers(["works", "garbage"])] == [
        "garbage",
        "works",
    ]


def test_territory_reads_the_layers_without_importing_the_apps(monkeypatch):
    """The layers arrive through the AppConfig registry only: no module of territory's map
    imports complaints or committees, and an app that stops declaring its layer drops it."""
    import ast
    from pathlib import Path

    from django.apps import apps

    for module in ("territory/layers.py", "territory/api/layers.py", "territory/views.py"):
        tree = ast.parse(Path(module).read_text())
        imported = {
            (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & {"complaints", "committees"}, module
    monkeypatch.setattr(apps.get_app_config("committees"), "map_layers", [])
    map_layers.map_layers.cache_clear()
    try:
        assert "works" not in [layer.key for layer in map_layers.map_layers()]
    finally:
        monkeypatch.undo()
        map_layers.map_layers.cache_clear()
    assert "works" in [layer.key for layer in map_layers.map_layers()]


# --- /api/layers/<key>.geojson -------------------------------------------------------------


@pytest.mark.parametrize("key", ["garbage", "lighting", "complaints", "works"])
@pytest.mark.parametrize(
    "query, field",
    [
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "-106,28"}, "bbox"),
        ({"bbox": "-200,28,-105,29"}, "bbox"),
        ({"bbox": "-105,28,-106,29"}, "bbox"),
        ({"bbox": CITY_BBOX, "zoom": "40"}, "zoom"),
        ({"bbox": CITY_BBOX, "zoom": "-1"}, "zoom"),
    ],
)
def test_a_bad_viewport_is_a_400_with_the_reason(client, municipality, key, query, field):
    response = client.get(layer_url(key), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["layer"] == key and body["error"]


@pytest.mark.parametrize(
    "key, query, field",
    [
        ("complaints", {"service": "999999"}, "service"),
        ("complaints", {"complaint_state": "lost"}, "complaint_state"),
        ("complaints", {"colonia": "x"}, "colonia"),
        ("works", {"colonia": "999999"}, "colonia"),
        ("garbage", {"colonia": "999999"}, "colonia"),
    ],
)
def test_a_bad_filter_is_a_400_per_layer(client, municipality, key, query, field):
    response = client.get(layer_url(key), {"bbox": CITY_BBOX, **query})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["layer"] == key


def test_a_400_speaks_the_requests_language(client, municipality):
    english = client.get(layer_url("works"), {"bbox": "x"}, HTTP_ACCEPT_LANGUAGE="en").json()
    spanish = client.get(layer_url("works"), {"bbox": "x"}, HTTP_ACCEPT_LANGUAGE="es-mx").json()
    assert "four numbers" in english["error"]
    assert english["error"] != spanish["error"] or spanish["error"]


def test_an_unknown_layer_is_a_404(client, municipality):
    response = client.get(layer_url("parking"), {"bbox": CITY_BBOX})
    assert response.status_code == 404
    assert response.json()["layer"] == "parking"


def test_the_spaces_layer_is_the_spaces_endpoint(client, municipality):
    response = client.get(layer_url("spaces"), {"bbox": CITY_BBOX, "zoom": "13"})
    assert response.status_code == 200
    assert json.loads(response.content)["type"] == "FeatureCollection"
    assert response.headers["ETag"]


def test_complaints_open_and_recently_closed_at_their_public_point(client, city):
    found = features(client.get(layer_url("complaints"), {"bbox": CITY_BBOX, "zoom": "17"}))
    codes = {f["properties"]["code"]: f for f in found}
    expected = [c.code for c in city["open"]] + [city["recently_closed"].code]
    assert sorted(codes) == sorted(expected)  # not the long closed, not the unplaced
    for complaint in [*city["open"], city["recently_closed"]]:
        feature = codes[complaint.code]
        public = public_coordinates(Complaint.private_objects.get(pk=complaint.pk).location)
        assert feature["geometry"]["coordinates"] == pytest.approx(
            [public.longitude, public.latitude], abs=1e-9
        )
        # Three decimals: the exact point never leaves.
        for coordinate in feature["geometry"]["coordinates"]:
            assert round(coordinate, 3) == pytest.approx(coordinate, abs=1e-9)
    body = json.dumps(found)
    assert "vecina.secreta" not in body and "Rosalba" not in body
    assert codes[city["recently_closed"].code]["properties"]["state"] == "closed"
    assert codes[city["open"][0].code]["properties"]["state"] == "open"
    assert codes[city["open"][0].code]["properties"]["url"] == reverse(
        "complaints:detail", kwargs={"code": city["open"][0].code}
    )


def test_complaint_filters_follow_the_form(client, city):
    def codes(**query):
        found = features(
            client.get(layer_url("complaints"), {"bbox": CITY_BBOX, "zoom": "17", **query})
        )
        return {f["properties"]["code"] for f in found}

    assert codes(complaint_state="closed") == {city["recently_closed"].code}
    assert codes(complaint_state="open") == {c.code for c in city["open"]}
    assert codes(service=str(city["garbage"].pk)) == {city["recently_closed"].code}


def test_points_are_clustered_at_low_zoom(client, municipality):
    lighting = ServiceTypeFactory(municipality=municipality, code="lighting", name="Alumbrado")
    for n in range(6):  # six within a few metres: one cell at city zoom
        make_complaint(
            municipality=municipality, service_type=lighting, lon=-106.0801 + n * 1e-4, lat=28.6301
        )
    lone = make_complaint(municipality=municipality, service_type=lighting, lon=-105.95, lat=28.75)
    clustered = features(client.get(layer_url("complaints"), {"bbox": CITY_BBOX, "zoom": "12"}))
    assert sorted(f["properties"]["count"] for f in clustered) == [1, 6]
    big = next(f for f in clustered if f["properties"]["count"] == 6)
    assert set(big["properties"]) == {"count"}  # a cluster names none of its rows
    single = next(f for f in clustered if f["properties"]["count"] == 1)
    assert single["properties"]["code"] == lone.code
    assert single["geometry"]["coordinates"] == pytest.approx([-105.95, 28.75])
    # At street zoom, every complaint is its own feature.
    street = features(client.get(layer_url("complaints"), {"bbox": CITY_BBOX, "zoom": "17"}))
    assert len(street) == 7 and all("count" not in f["properties"] for f in street)


def test_works_carry_their_latest_progress(client, city):
    found = features(client.get(layer_url("works"), {"bbox": CITY_BBOX, "zoom": "17"}))
    assert len(found) == 2  # the one with no location is not drawn
    assert {f["properties"]["percent"] for f in found} == {60}
    assert all(f["properties"]["color"] == "#1f5fa8" for f in found)
    work = city["works"][0]
    assert any(f["properties"]["url"].endswith(f"#work-{work.pk}") for f in found)
    assert features(client.get(layer_url("works"), {"bbox": "-100,20,-99,21", "zoom": "17"})) == []


def test_areas_by_category_with_their_page(client, city):
    garbage = features(client.get(layer_url("garbage"), {"bbox": CITY_BBOX, "zoom": "14"}))
    lighting = features(client.get(layer_url("lighting"), {"bbox": CITY_BBOX}))
    assert [f["properties"]["code"] for f in garbage] == ["R-01"]
    assert [f["properties"]["code"] for f in lighting] == ["AL-01"]
    assert garbage[0]["geometry"]["type"] == "MultiPolygon"
    assert garbage[0]["properties"]["url"] == reverse(
        "territory:area_detail", kwargs={"pk": city["route"].pk}
    )
    assert garbage[0]["properties"]["color"] == "#6a3d9a"


@pytest.mark.parametrize("key", ["garbage", "lighting", "complaints", "works"])
def test_another_municipalitys_rows_never_show(client, city, key):
    other = MunicipalityFactory(slug="otro", name="Otro")
    build_layers(other)
    # The other municipality's rows sit at the same places: only the host tells them apart.
    mine = features(client.get(layer_url(key), {"bbox": CITY_BBOX, "zoom": "17"}))
    theirs = features(
        client.get(layer_url(key), {"bbox": CITY_BBOX, "zoom": "17"}, HTTP_HOST="otro.localhost")
    )
    from territory.selectors import municipality_for_host

    assert mine and theirs, (
        len(mine),
        len(theirs),
        municipality_for_host("testserver").pk,
        municipality_for_host("otro.localhost").pk,
        city["colonia"].municipality_id,
        other.pk,
    )
    mine_urls = {f["properties"]["url"] for f in mine}
    theirs_urls = {f["properties"]["url"] for f in theirs}
    assert not mine_urls & theirs_urls


@pytest.mark.parametrize("key", ["garbage", "lighting", "complaints", "works"])
def test_an_etag_makes_the_second_request_a_304_with_no_query(client, city, key):
    query = {"bbox": CITY_BBOX, "zoom": "13"}
    first = client.get(layer_url(key), query)
    etag = first.headers["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(layer_url(key), query, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert len(queries) == 0
    # Another viewport, another tag.
    other = client.get(layer_url(key), {"bbox": "-106.1,28.6,-106.0,28.7", "zoom": "13"})
    assert other.headers["ETag"] != etag


@pytest.mark.django_db(transaction=True)
def test_a_write_changes_the_etag(client, transactional_db):
    # Committed writes: the page-cache versions change when a transaction commits.
    city = build_layers(MunicipalityFactory(is_default=True))
    query = {"bbox": CITY_BBOX, "zoom": "13"}
    etag = client.get(layer_url("complaints"), query).headers["ETag"]
    assert client.get(layer_url("complaints"), query, HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_complaint(municipality=city["colonia"].municipality, service_type=city["lighting"])
    response = client.get(layer_url("complaints"), query, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


@pytest.mark.parametrize("key", ["garbage", "lighting", "complaints", "works"])
@pytest.mark.parametrize("zoom", ["12", "17"])
def test_one_statement_per_layer_at_two_sizes(client, municipality, key, zoom):
    sizes = []
    for extra in (0, 12):
        build = build_layers(
            MunicipalityFactory(slug=f"m{extra}-{key}-{zoom}", name=f"M{extra}"),
            complaints=3 + extra,
            works=2 + extra,
        )
        host = f"m{extra}-{key}-{zoom}.localhost"
        assert build
        client.get(layer_url("none"), HTTP_HOST=host)  # the host map, cached from then on
        with CaptureQueriesContext(connection) as queries:
            response = client.get(layer_url(key), {"bbox": CITY_BBOX, "zoom": zoom}, HTTP_HOST=host)
        assert response.status_code == 200
        sizes.append(len(queries))
    assert sizes == [1, 1]


# --- /api/layers/nearest.json ----------------------------------------------------------------


def test_nearest_per_enabled_layer(client, city):
    client.get(layer_url("none"))  # the host map, cached from then on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            NEAREST_URL,
            {"lat": "28.6346", "lon": "-106.0812", "limit": "2", "layer": ["complaints", "works"]},
        )
    assert response.status_code == 200
    layers = response.json()["layers"]
    assert [layer["key"] for layer in layers] == ["complaints", "works"]
    assert len(queries) == 2  # one statement per layer
    complaints = layers[0]["items"]
    assert len(complaints) == 2
    assert complaints[0]["code"] == city["open"][0].code
    assert complaints[0]["distance"] <= complaints[1]["distance"]
    # Measured to the public point, which is within 80 m of the true one.
    assert complaints[0]["distance"] < 100
    assert layers[1]["items"][0]["url"].startswith(reverse("committees:work_list"))


def test_nearest_areas_are_at_zero_when_you_stand_inside(client, city):
    response = client.get(
        NEAREST_URL, {"lat": "28.635", "lon": "-106.065", "layer": ["lighting", "garbage"]}
    )
    layers = {layer["key"]: layer["items"] for layer in response.json()["layers"]}
    assert layers["lighting"][0]["code"] == "AL-01"
    assert layers["lighting"][0]["distance"] == 0
    assert layers["garbage"][0]["distance"] > 0


def test_nearest_defaults_to_the_default_layers_and_validates(client, city):
    response = client.get(NEAREST_URL, {"lat": "28.63", "lon": "-106.08"})
    assert [layer["key"] for layer in response.json()["layers"]] == [
        "spaces",
        "complaints",
        "works",
    ]
    assert client.get(NEAREST_URL, {"lat": "100", "lon": "-106"}).json()["field"] == "lat"
    assert client.get(NEAREST_URL, {"lat": "28", "lon": "-106", "limit": "99"}).status_code == 400
    bad_layer = client.get(NEAREST_URL, {"lat": "28", "lon": "-106", "layer": "parking"})
    assert bad_layer.status_code == 400 and bad_layer.json()["layer"] == "parking"
    bad_filter = client.get(
        NEAREST_URL, {"lat": "28", "lon": "-106", "layer": "complaints", "service": "0"}
    )
    assert bad_filter.status_code == 400 and bad_filter.json()["layer"] == "complaints"


def test_nearest_never_shows_another_municipality(client, city):
    other = MunicipalityFactory(slug="otro", name="Otro")
    theirs = build_layers(other)
    response = client.get(
        NEAREST_URL, {"lat": "28.63", "lon": "-106.08", "limit": "20", "layer": "complaints"}
    )
    codes = {item["code"] for item in response.json()["layers"][0]["items"]}
    assert codes and not codes & {c.code for c in theirs["open"]}


# --- The database's document equals Python's (PostGIS) ---------------------------------------


@pytest.mark.services
@pytest.mark.parametrize("key", ["garbage", "lighting", "complaints", "works"])
@pytest.mark.parametrize("zoom", [None, 12, 17])
def test_the_database_layer_document_is_the_python_one(city, key, zoom):
    layer = map_layers.layer_for_key(key)
    municipality = city["colonia"].municipality
    queryset = layer.rows(municipality)
    database = map_layers.feature_collection(layer, queryset=queryset, zoom=zoom)
    rows = map_layers.feature_rows(layer, queryset, zoom).order_by(*map_layers._order(layer, zoom))
    python = map_layers._feature_collection_python(rows, list(layer.properties()), layer, zoom)
    assert json.loads(database) == json.loads(python)


@pytest.mark.services
@pytest.mark.parametrize("key", ["garbage", "complaints", "works"])
def test_a_pan_reuses_the_compiled_statement_with_the_new_box(client, city, monkeypatch, key):
    compiled = []
    compile_statement = map_layers._document_statement
    monkeypatch.setattr(
        map_layers,
        "_document_statement",
        lambda *args: compiled.append(args) or compile_statement(*args),
    )
    first = features(client.get(layer_url(key), {"bbox": CITY_BBOX, "zoom": 17}))
    assert first and len(compiled) == 1
    layer = map_layers.layer_for_key(key)
    municipality = city["colonia"].municipality
    for bbox in ("-106.075,28.625,-106.06,28.64", "-106.2,28.5,-106.19,28.51", CITY_BBOX):
        with CaptureQueriesContext(connection) as queries:
            panned = features(client.get(layer_url(key), {"bbox": bbox, "zoom": 17}))
        assert len(compiled) == 1  # the statement is reused
        assert len([q for q in queries if "FeatureCollection" in q["sql"]]) == 1
        box = map_layers.ViewportForm({"bbox": bbox})
        assert box.is_valid()
        queryset = map_layers.in_bbox(layer, layer.rows(municipality), box.cleaned_data["bbox"])
        expected = json.loads(map_layers.feature_collection(layer, queryset=queryset, zoom=17))
        assert panned == expected["features"]
        compiled.clear()
        compiled.append("the first request's")
    assert panned == first
    # Another zoom or language is another statement.
    client.get(layer_url(key), {"bbox": CITY_BBOX, "zoom": 12})
    client.get(layer_url(key), {"bbox": CITY_BBOX, "zoom": 17}, HTTP_ACCEPT_LANGUAGE="es-mx")
    assert len(compiled) == 3


# --- /map/: the layers' control and the lists ------------------------------------------------


def test_the_map_page_lists_the_enabled_layers(client, city):
    response = client.get(reverse("territory:map"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("spaces", "garbage", "lighting", "complaints", "works"):
        assert f'name="layer" value="{key}"' in html
    assert 'id="complaints-list"' in html and 'id="works-list"' in html
    assert 'id="garbage-list"' not in html  # off by default
    assert city["open"][0].code in html
    assert 'id="map-layer-settings"' in html
    chosen = client.get(
        reverse("territory:map"), {"layers": "chosen", "layer": ["garbage"]}
    ).content.decode()
    assert 'id="garbage-list"' in chosen and "Ruta Centro" in chosen
    assert 'id="complaints-list"' not in chosen and 'id="space-list"' not in chosen
    assert reverse("territory:area_detail", kwargs={"pk": city["route"].pk}) in chosen
    nothing = client.get(reverse("territory:map"), {"layers": "chosen"}).content.decode()
    assert 'class="layer-list' not in nothing


def test_the_map_page_lists_are_paginated_and_scoped(client, municipality):
    build_layers(municipality, complaints=25)
    other = MunicipalityFactory(slug="otro", name="Otro")
    theirs = build_layers(other, complaints=1)
    url = reverse("territory:map")
    first = client.get(url, {"layers": "chosen", "layer": "complaints"}).content.decode()
    listed = re.compile(r'<a href="/complaints/(?!new/)[^"/]+/">')
    assert len(listed.findall(first)) == 20
    assert "complaints_page=2" in first
    second = client.get(
        url, {"layers": "chosen", "layer": "complaints", "complaints_page": "2"}
    ).content.decode()
    assert len(listed.findall(second)) == 6  # 25 open and 1 recently closed
    assert theirs["open"][0].code not in first + second


@pytest.mark.parametrize("size", [2, 14])
def test_the_map_page_query_count_does_not_grow(
    client, municipality, django_assert_max_num_queries, size
):
    build_layers(municipality, complaints=size, works=size)
    client.get(reverse("territory:map"))  # the host map
    every_layer = {
        "layers": "chosen",
        "layer": ["spaces", "garbage", "lighting", "complaints", "works"],
    }
    with django_assert_max_num_queries(19):
        response = client.get(reverse("territory:map"), every_layer)
    assert response.status_code == 200
