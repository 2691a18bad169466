"""The map's API: /api/spaces.geojson and /api/spaces/nearest.json."""

import datetime
import gzip
import json
import math
import re
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.urls import reverse

from contracts.tests.factories import CompanyFactory, ContractFactory
from territory import selectors
from territory.models import PublicSpace
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceTypeFactory,
    square,
)

GEOJSON_URL = reverse("territory:spaces_geojson")
NEAREST_URL = reverse("territory:spaces_nearest")
CITY_BBOX = "-106.2,28.5,-105.9,28.8"
TODAY = datetime.date.today()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def build_city(municipality) -> SimpleNamespace:
    """Two colonias, two services, two companies; spaces with and without a contract in force.

    - park-a, park-b: contract A (Verdes, green spaces), in force
    - lamp-c: contract B (Luz, lighting), in force, and an older contract A2 in force too
    - old-d: only an ended contract (Verdes) → nobody under contract; its directorate answers
    - far-e: in the other colonia, no contract at all, outside the central bbox
    """
    centro = ColoniaFactory(
        municipality=municipality, name="Centro", geometry=square(-106.10, 28.60, 0.05)
    )
    norte = ColoniaFactory(
        municipality=municipality, name="Norte", geometry=square(-106.10, 28.70, 0.05)
    )
    green = ServiceTypeFactory(
        municipality=municipality, code="green", name="Áreas verdes", color="#2e7d32"
    )
    lighting = ServiceTypeFactory(
        municipality=municipality, code="lighting", name="Alumbrado", color="#f2a900"
    )
    parks = DirectorateFactory(
        municipality=municipality, name="Parques y Jardines", phone="614 200 4800"
    )
    verdes = CompanyFactory(municipality=municipality, legal_name="Verdes S.A. de C.V.")
    luz = CompanyFactory(municipality=municipality, legal_name="Luz del Norte S.A.")

    def space(code, name, lon, lat, **kwargs):
        return PublicSpaceFactory(
            municipality=municipality,
            code=code,
            name=name,
            geometry=square(lon, lat, 0.001),
            directorate=parks,
            **kwargs,
        )

    park_a = space("AC-Z11-0001", "Parque Lerdo", -106.0801234567, 28.6101234567)
    park_b = space("AC-Z11-0002", "Jardín Borunda", -106.07, 28.61)
    lamp_c = space("AL-0003", "Plaza Mayor", -106.06, 28.62, kind=PublicSpace.Kind.PLAZA)
    old_d = space("AC-Z12-0004", "Camellón Juárez", -106.05, 28.63, kind=PublicSpace.Kind.MEDIAN)
    far_e = space("AC-Z13-0005", "Parque del Norte", -106.08, 28.72)

    contract_a = ContractFactory(
        municipality=municipality,
        number="LP-11/2026",
        company=verdes,
        service_type=green,
        directorate=parks,
        start_date=days(-30),
        end_date=days(300),
        spaces=[park_a, park_b],
    )
    contract_a2 = ContractFactory(
        municipality=municipality,
        number="LP-09/2025",
        company=verdes,
        service_type=green,
        directorate=parks,
        start_date=days(-400),
        end_date=days(30),
        spaces=[lamp_c],
    )
    contract_b = ContractFactory(
        municipality=municipality,
        number="AL-02/2026",
        company=luz,
        service_type=lighting,
        directorate=parks,
        start_date=days(-10),
        end_date=days(200),
        spaces=[lamp_c],
    )
    ended = ContractFactory(
        municipality=municipality,
        number="LP-01/2020",
        company=verdes,
        service_type=green,
        directorate=parks,
        start_date=days(-2000),
        end_date=days(-1000),
        spaces=[old_d],
    )
    return SimpleNamespace(**locals())


@pytest.fixture
def city(municipality):
    return build_city(municipality)


def get_geojson(client, **params):
    return client.get(GEOJSON_URL, params, HTTP_ACCEPT_LANGUAGE="en")


def features_by_code(response) -> dict:
    assert response.status_code == 200, response.content
    return {f["properties"]["code"]: f for f in json.loads(response.content)["features"]}


def all_positions(geometry) -> list:
    def walk(value):
        if isinstance(value[0], (int, float)):
            yield value
        else:
            for item in value:
                yield from walk(item)

    return list(walk(geometry["coordinates"]))


# --- Shape (RFC 7946) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_geojson_is_an_rfc7946_feature_collection_with_the_space_properties(client, city):
    response = get_geojson(client, bbox=CITY_BBOX)

    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(response.content)
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    features = features_by_code(response)
    assert set(features) == {"AC-Z11-0001", "AC-Z11-0002", "AL-0003", "AC-Z12-0004", "AC-Z13-0005"}
    park = features["AC-Z11-0001"]
    assert park["type"] == "Feature"
    assert park["geometry"]["type"] == "MultiPolygon"
    assert park["properties"] == {
        "code": "AC-Z11-0001",
        "name": "Parque Lerdo",
        "kind": "park",
        "kind_label": "Park",
        "service": {"name": "Áreas verdes", "color": "#2e7d32"},
        "company": "Verdes S.A. de C.V.",
        "contract": "LP-11/2026",
        "colonia": "Centro",
        "url": "/spaces/AC-Z11-0001/",
    }


@pytest.mark.django_db
def test_coordinates_are_longitude_first_with_six_decimals(client, city):
    response = get_geojson(client, bbox=CITY_BBOX)
    park = features_by_code(response)["AC-Z11-0001"]

    positions = all_positions(park["geometry"])
    assert [-106.080123, 28.610123] in positions
    for lon, lat in positions:
        assert -106.1 < lon < -106.0 and 28.6 < lat < 28.7
    decimals = re.findall(r"-?\d+\.(\d+)", json.dumps(park["geometry"]))
    assert decimals and max(len(d) for d in decimals) <= 6


@pytest.mark.django_db
def test_below_polygon_zoom_each_space_is_its_centroid(client, city):
    response = get_geojson(client, bbox=CITY_BBOX, zoom=12)
    park = features_by_code(response)["AC-Z11-0002"]

    assert park["geometry"]["type"] == "Point"
    lon, lat = park["geometry"]["coordinates"]
    assert lon == pytest.approx(-106.0695, abs=1e-6)
    assert lat == pytest.approx(28.6105, abs=1e-6)


@pytest.mark.django_db
def test_at_polygon_zoom_spaces_are_simplified_polygons(client, municipality):
    # A circle of 64 vertices about 50 m across: at zoom 15 (half a pixel ≈ 2.4 m) fewer
    # vertices survive; at zoom 19 almost all of them do.
    from django.contrib.gis.geos import MultiPolygon, Polygon

    angles = [2 * math.pi * i / 64 for i in range(64)]
    ring = [(-106.08 + 0.00025 * math.cos(a), 28.61 + 0.00025 * math.sin(a)) for a in angles]
    ring.append(ring[0])
    PublicSpaceFactory(
        municipality=municipality, code="ROUND", geometry=MultiPolygon(Polygon(ring), srid=4326)
    )
    bbox = "-106.09,28.60,-106.07,28.62"

    coarse = features_by_code(get_geojson(client, bbox=bbox, zoom=15))["ROUND"]["geometry"]
    fine = features_by_code(get_geojson(client, bbox=bbox, zoom=19))["ROUND"]["geometry"]
    full = features_by_code(get_geojson(client, bbox=bbox))["ROUND"]["geometry"]

    assert coarse["type"] == fine["type"] == "MultiPolygon"
    assert 4 <= len(all_positions(coarse)) < len(all_positions(fine)) <= len(all_positions(full))
    assert len(all_positions(full)) == 65


# --- Filters -------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db
@pytest.mark.parametrize("zoom", [None, 13, 16])
@pytest.mark.parametrize(
    "bbox", [(-106.2, 28.5, -105.9, 28.8), (-106.081, 28.609, -106.069, 28.612), (0, 0, 1, 1)]
)
def test_the_hand_written_viewport_gives_the_orm_document_and_version(city, zoom, bbox):
    """spaces_geojson answers a bare viewport (bbox and zoom only) from
    selectors.viewport_feature_collection_with_version, whose rows territory.postgis writes by
    hand; it must give exactly what the ORM form gives for the same viewport, version included.
    Runs on PostGIS only (see territory/postgis.py for how)."""
    from django.contrib.gis.geos import Polygon

    box = Polygon.from_bbox(bbox)
    box.srid = 4326
    place = city.park_a.municipality
    orm = selectors.spaces_feature_collection_with_version(
        queryset=selectors.spaces_for_map(municipality=place).in_bbox(box),
        municipality=place,
        zoom=zoom,
        bbox=box,
    )
    by_hand = selectors.viewport_feature_collection_with_version(
        municipality=place, bbox=box, zoom=zoom
    )
    assert by_hand[1] == orm[1]
    assert json.loads(by_hand[0]) == json.loads(orm[0])
    assert by_hand[0] == orm[0]


@pytest.mark.services
@pytest.mark.django_db
@pytest.mark.parametrize("zoom", [None, 13, 16])
def test_the_database_document_is_the_python_one(city, zoom):
    """On PostGIS the document is built by the database (territory.postgis.feature_collection);
    from the same rows, it must be what SpatiaLite's Python builder writes."""
    from django.contrib.gis.geos import Polygon

    box = Polygon.from_bbox((-106.2, 28.5, -105.9, 28.8))
    box.srid = 4326
    place = city.park_a.municipality
    queryset = selectors.spaces_for_map(municipality=place).in_bbox(box)
    by_database = selectors.spaces_feature_collection(queryset=queryset, zoom=zoom)
    by_python = selectors._feature_collection_python(selectors._feature_rows(queryset, zoom))
    assert len(json.loads(by_python)["features"]) == 5
    assert json.loads(by_database) == json.loads(by_python)


@pytest.mark.django_db
def test_bbox_keeps_only_the_spaces_it_touches(client, city):
    features = features_by_code(get_geojson(client, bbox="-106.075,28.605,-106.065,28.615"))
    assert set(features) == {"AC-Z11-0002"}

    features = features_by_code(get_geojson(client, bbox="-106.1,28.7,-106.0,28.8"))
    assert set(features) == {"AC-Z13-0005"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("service", "green", {"AC-Z11-0001", "AC-Z11-0002"}),
        ("service", "lighting", {"AL-0003"}),
        ("company", "verdes", {"AC-Z11-0001", "AC-Z11-0002"}),
        ("company", "luz", {"AL-0003"}),
        ("contract", "contract_a", {"AC-Z11-0001", "AC-Z11-0002"}),
        ("contract", "ended", {"AC-Z12-0004"}),
        ("colonia", "norte", {"AC-Z13-0005"}),
        ("q", "z11", {"AC-Z11-0001", "AC-Z11-0002"}),
        ("q", "parque", {"AC-Z11-0001", "AC-Z13-0005"}),
    ],
)
def test_each_filter_narrows_the_layer(client, city, param, value, expected):
    if param != "q":
        value = getattr(city, value).pk
    assert set(features_by_code(get_geojson(client, bbox=CITY_BBOX, **{param: value}))) == expected


@pytest.mark.django_db
def test_company_and_contract_are_those_in_force_latest_start_first(client, city):
    features = features_by_code(get_geojson(client, bbox=CITY_BBOX))

    assert features["AL-0003"]["properties"]["company"] == "Luz del Norte S.A."
    assert features["AL-0003"]["properties"]["contract"] == "AL-02/2026"
    assert features["AL-0003"]["properties"]["service"] == {"name": "Alumbrado", "color": "#f2a900"}
    for code in ("AC-Z12-0004", "AC-Z13-0005"):  # an ended contract, and none at all
        properties = features[code]["properties"]
        assert (properties["company"], properties["contract"], properties["service"]) == (
            None,
            None,
            None,
        )


# --- HTTP: gzip, ETag, errors ----------------------------------------------------------------


@pytest.mark.django_db
def test_geojson_is_gzipped_when_the_client_accepts_it(client, city):
    response = client.get(GEOJSON_URL, {"bbox": CITY_BBOX}, HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(json.loads(gzip.decompress(response.content))["features"]) == 5

    plain = client.get(GEOJSON_URL, {"bbox": CITY_BBOX})
    assert not plain.has_header("Content-Encoding")


@pytest.mark.django_db
def test_etag_gives_304_until_the_data_or_the_query_changes(client, city):
    first = client.get(GEOJSON_URL, {"bbox": CITY_BBOX, "zoom": 13})
    etag = first["ETag"]
    assert etag and first.status_code == 200

    again = client.get(GEOJSON_URL, {"zoom": "13", "bbox": CITY_BBOX}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    other_query = client.get(
        GEOJSON_URL, {"bbox": CITY_BBOX, "zoom": 16, "q": "x"}, HTTP_IF_NONE_MATCH=etag
    )
    assert other_query.status_code == 200

    PublicSpace.objects.filter(pk=city.park_a.pk).update(name="Parque Lerdo renovado")
    PublicSpace.objects.filter(pk=city.park_a.pk).first().save()  # bumps updated_at
    changed = client.get(GEOJSON_URL, {"bbox": CITY_BBOX, "zoom": 13}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_gzipped_etag_still_matches(client, city):
    first = client.get(GEOJSON_URL, {"bbox": CITY_BBOX}, HTTP_ACCEPT_ENCODING="gzip")
    assert first["ETag"].startswith('W/"')
    again = client.get(
        GEOJSON_URL,
        {"bbox": CITY_BBOX},
        HTTP_ACCEPT_ENCODING="gzip",
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert again.status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "-106,28,-105,nan"}, "bbox"),
        ({"bbox": "-200,28,-105,29"}, "bbox"),
        ({"bbox": "-106,28,-105,95"}, "bbox"),
        ({"bbox": "-105,28,-106,29"}, "bbox"),
        ({"bbox": "-108,26,-104,30", "zoom": "16"}, "bbox"),
        ({"zoom": "near"}, "zoom"),
        ({"zoom": "40"}, "zoom"),
        ({"service": "999999"}, "service"),
        ({"company": "abc"}, "company"),
        ({"contract": "1.5"}, "contract"),
        ({"colonia": "999999"}, "colonia"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_query_gets_a_400_with_a_json_error(client, city, params, field):
    response = client.get(GEOJSON_URL, params, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["field"] == field
    assert isinstance(body["error"], str) and body["error"]
    assert not response.has_header("ETag")


@pytest.mark.django_db
def test_error_messages_are_translated(client, city):
    english = client.get(GEOJSON_URL, {"bbox": "-105,28,-106,29"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"] == "The minimum of the box must not be greater than its maximum."
    # Django's own message for a bad choice is in its Spanish catalogue.
    english = client.get(GEOJSON_URL, {"company": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get(GEOJSON_URL, {"company": "abc"}, HTTP_ACCEPT_LANGUAGE="es-mx")
    assert english.json()["error"] != spanish.json()["error"]


# --- Municipality isolation ----------------------------------------------------------------


@pytest.mark.django_db
def test_each_municipality_sees_only_its_spaces(client, city):
    other = MunicipalityFactory(slug="villaflores", name="Villaflores")
    other_company = CompanyFactory(municipality=other, legal_name="Otra S.A.")
    PublicSpaceFactory(municipality=other, code="VF-0001", geometry=square(-106.07, 28.61))

    ours = features_by_code(get_geojson(client, bbox=CITY_BBOX))
    theirs = features_by_code(
        client.get(GEOJSON_URL, {"bbox": CITY_BBOX}, HTTP_HOST="villaflores.localhost")
    )
    assert "VF-0001" not in ours
    assert set(theirs) == {"VF-0001"}

    # Another municipality's company is not a valid choice here.
    response = get_geojson(client, company=other_company.pk)
    assert response.status_code == 400
    assert response.json()["field"] == "company"


# --- Query counts --------------------------------------------------------------------------


def _spaces_with_contracts(municipality, count):
    company = CompanyFactory(municipality=municipality)
    spaces = [PublicSpaceFactory(municipality=municipality) for _ in range(count)]
    half = len(spaces) // 2
    ContractFactory(municipality=municipality, company=company, spaces=spaces[:half])
    ContractFactory(municipality=municipality, company=company, spaces=spaces[half:])
    return company


# The data version (for the ETag), then on PostGIS the whole document in one statement, on
# SpatiaLite the spaces and then their contracts. (The API is read-only: no transaction.)
def _expected_geojson_queries():
    # PostGIS: one statement returns the document and its data version (for the ETag);
    # SpatiaLite: the version, the rows, their contracts.
    return 1 if connection.vendor == "postgresql" else 3


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_geojson_query_count_does_not_grow_with_the_spaces(
    client, municipality, django_assert_num_queries, count
):
    company = _spaces_with_contracts(municipality, count)
    params = {"bbox": CITY_BBOX, "zoom": 13}
    client.get(GEOJSON_URL, params)  # the host → municipality map is cached after this

    with django_assert_num_queries(_expected_geojson_queries()):
        response = client.get(GEOJSON_URL, params)
    assert len(response.json()["features"]) == count

    # A model filter costs one query more: its validation.
    with django_assert_num_queries(_expected_geojson_queries() + 1):
        response = client.get(GEOJSON_URL, {**params, "company": company.pk})
    assert len(response.json()["features"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_a_304_costs_only_the_data_version(client, municipality, django_assert_num_queries, count):
    _spaces_with_contracts(municipality, count)
    etag = client.get(GEOJSON_URL, {"bbox": CITY_BBOX})["ETag"]

    with django_assert_num_queries(1):  # the data version
        response = client.get(GEOJSON_URL, {"bbox": CITY_BBOX}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304

    # A stale ETag: the version, then the document, and the same ETag as unconditionally.
    response = client.get(GEOJSON_URL, {"bbox": CITY_BBOX}, HTTP_IF_NONE_MATCH='"stale"')
    assert response.status_code == 200 and response["ETag"] == etag


# --- Selectors -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_data_version_changes_with_spaces_and_contracts(city, municipality):
    before = selectors.spaces_data_version(municipality=municipality)
    PublicSpaceFactory(municipality=municipality, code="NEW-1")
    after_space = selectors.spaces_data_version(municipality=municipality)
    ContractFactory(municipality=municipality, number="NEW/2026")
    after_contract = selectors.spaces_data_version(municipality=municipality)

    assert len({before, after_space, after_contract}) == 3


@pytest.mark.django_db
def test_data_version_in_a_box_changes_only_with_the_spaces_near_it(city, municipality):
    from django.contrib.gis.geos import Polygon

    box = Polygon.from_bbox((-106.1, 28.7, -106.0, 28.8))  # holds only far-e
    box.srid = 4326
    before = selectors.spaces_data_version(municipality=municipality, bbox=box)
    city.park_a.save()  # in the centre, outside the box
    assert selectors.spaces_data_version(municipality=municipality, bbox=box) == before
    city.far_e.save()
    after_update = selectors.spaces_data_version(municipality=municipality, bbox=box)
    assert after_update != before
    city.far_e.delete()
    assert selectors.spaces_data_version(municipality=municipality, bbox=box) != after_update


@pytest.mark.django_db
def test_space_list_annotates_who_is_responsible(city, municipality):
    spaces = {s.code: s for s in selectors.space_list_for_map(municipality=municipality)}

    assert spaces["AL-0003"].company_name == "Luz del Norte S.A."
    assert spaces["AL-0003"].contract_number == "AL-02/2026"
    assert spaces["AC-Z12-0004"].company_name is None
    assert spaces["AC-Z12-0004"].directorate.name == "Parques y Jardines"


# --- Nearest -------------------------------------------------------------------------------


def haversine_m(lon1, lat1, lon2, lat2) -> float:
    radius = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


@pytest.mark.django_db
def test_nearest_orders_by_real_distance_not_by_degrees(client, municipality):
    # At latitude 28.63 a degree of longitude is ~12% shorter than one of latitude: EAST is
    # farther in degrees (0.0100 vs 0.0095) but nearer in metres (~977 m vs ~1,053 m).
    lon, lat, size = -106.08, 28.63, 0.0002
    PublicSpaceFactory(
        municipality=municipality,
        code="EAST",
        geometry=square(lon + 0.0100 - size / 2, lat - size / 2, size),
    )
    PublicSpaceFactory(
        municipality=municipality,
        code="NORTH",
        geometry=square(lon - size / 2, lat + 0.0095 - size / 2, size),
    )
    PublicSpaceFactory(
        municipality=municipality,
        code="FAR",
        geometry=square(lon + 0.05 - size / 2, lat - size / 2, size),
    )

    response = client.get(NEAREST_URL, {"lat": lat, "lon": lon, "limit": 2})

    assert response.status_code == 200
    body = response.json()
    assert [row["code"] for row in body] == ["EAST", "NORTH"]
    assert body[0]["distance"] == pytest.approx(haversine_m(lon, lat, lon + 0.01, lat), rel=0.01)
    assert body[1]["distance"] == pytest.approx(haversine_m(lon, lat, lon, lat + 0.0095), rel=0.01)
    assert body[0]["url"] == "/spaces/EAST/"
    assert set(body[0]) == {"code", "name", "distance", "url"}

    # Even the single nearest: by degrees it would be NORTH.
    only = client.get(NEAREST_URL, {"lat": lat, "lon": lon, "limit": 1}).json()
    assert [row["code"] for row in only] == ["EAST"]


@pytest.mark.django_db
def test_nearest_respects_the_filters_and_the_municipality(client, city):
    other = MunicipalityFactory(slug="villaflores-2")
    PublicSpaceFactory(municipality=other, code="VF-NEAR", geometry=square(-106.08, 28.61))

    response = client.get(
        NEAREST_URL, {"lat": 28.61, "lon": -106.08, "limit": 50, "company": city.luz.pk}
    )
    assert [row["code"] for row in response.json()] == ["AL-0003"]

    everything = client.get(NEAREST_URL, {"lat": 28.61, "lon": -106.08, "limit": 50}).json()
    assert "VF-NEAR" not in {row["code"] for row in everything}
    assert everything[0]["code"] == "AC-Z11-0001"
    distances = [row["distance"] for row in everything]
    assert distances == sorted(distances)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": "-106"}, "lat"),
        ({"lat": "95", "lon": "-106"}, "lat"),
        ({"lat": "28", "lon": "west"}, "lon"),
        ({"lat": "28", "lon": "-106", "limit": "0"}, "limit"),
        ({"lat": "28", "lon": "-106", "limit": "500"}, "limit"),
        ({"lat": "28", "lon": "-106", "service": "x"}, "service"),
    ],
)
def test_nearest_bad_query_gets_a_400(client, municipality, params, field):
    response = client.get(NEAREST_URL, params)
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.django_db
def test_nearest_point_is_a_point_in_wgs84(municipality):
    PublicSpaceFactory(municipality=municipality, code="ONE", geometry=square(-106.09, 28.62))
    rows = selectors.spaces_nearest(
        queryset=selectors.spaces_for_map(municipality=municipality),
        point=Point(-106.09, 28.62, srid=4326),
        limit=5,
    )
    assert [row["code"] for row in rows] == ["ONE"]
    assert rows[0]["distance"] < 200
