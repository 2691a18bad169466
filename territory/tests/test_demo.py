"""Territory's demo seeders (``territory.demo``), run on their own: they need no other app.

They load the published map of Chihuahua (``territory/data/chihuahua``)."""

import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Point

from core import demo
from territory.demo import (
    GARBAGE,
    GARBAGE_ROUTES,
    GREEN,
    LIGHTING,
    LIGHTING_AREAS,
    colonia_name,
    contractor_key,
    derived_colonias,
)
from territory.geometry import area_m2
from territory.models import (
    Colonia,
    Directorate,
    Municipality,
    PublicSpace,
    ServiceArea,
    ServiceType,
)
from territory.services import colonia_for_point

pytestmark = pytest.mark.django_db


def seed_territory(**options) -> demo.DemoContext:
    context = demo.DemoContext(**options)
    for seeder in demo.app_seeders(["territory"]):
        seeder(context)
    return context


@pytest.fixture
def seeded():
    return seed_territory(spaces=INVENTED)


@pytest.fixture
def chihuahua(seeded):
    return Municipality.objects.get(slug="chihuahua")


INVENTED = 8  # invented spaces kept by the directorate, besides the 300 published
LOTS = {11: 77, 12: 62, 13: 76, 14: 85}


def places() -> dict:
    """Every place's geometry by its natural key (names and codes repeat across
    municipalities and services: Villaflores has a "Centro", garbage and lighting an "A-L47")."""
    return {
        "spaces": {(s.municipality_id, s.code): s.geometry for s in PublicSpace.objects.all()},
        "colonias": {(c.municipality_id, c.name): c.geometry for c in Colonia.objects.all()},
        "areas": {(a.service_type_id, a.code): a.geometry for a in ServiceArea.objects.all()},
    }


def test_running_twice_leaves_the_same_places():
    seed_territory(spaces=INVENTED)
    first = places()
    context = seed_territory(spaces=INVENTED)
    assert places() == first
    assert len(first["spaces"]) == 300 + INVENTED
    assert len(first["areas"]) == 242 and len(first["colonias"]) == 164 + 22
    assert {lot: len(codes) for lot, codes in context.space_codes_by_zone.items()} == LOTS


def test_too_few_spaces_are_refused_before_anything_is_written():
    with pytest.raises(demo.DemoError, match="at least 0"):
        demo.seed(spaces=-1, with_users=False)
    assert not Municipality.objects.exists()


def test_the_published_green_spaces_with_their_codes_and_names(chihuahua):
    spaces = PublicSpace.objects.filter(municipality=chihuahua).select_related("colonia")
    published = spaces.filter(code__startswith="AC-Z")
    for lot, count in LOTS.items():
        codes = set(published.filter(code__startswith=f"AC-Z{lot}-").values_list("code", flat=True))
        assert codes == {f"AC-Z{lot}-{n:04d}" for n in range(1, count + 1)}
    names = dict(published.values_list("code", "name"))
    assert names["AC-Z11-0001"] == "Triángulo 20 de Noviembre y 46a."
    assert names["AC-Z12-0001"] == "Parque Lealtad II"
    assert names["AC-Z14-0005"] == "Parque Sierra Reyna"
    # The shape as published: lot 11's first space lies in the centre of Chihuahua.
    first = published.get(code="AC-Z11-0001")
    assert first.centroid.distance(Point(-106.08, 28.64)) < 0.05
    parks = Directorate.objects.get(
        municipality=chihuahua, name="Departamento de Parques y Jardines"
    )
    for space in spaces:
        assert space.geometry.valid and space.area_m2 > 0, space.code
        assert space.area_m2 == pytest.approx(area_m2(space.geometry))
        assert space.centroid.within(space.geometry), space.code
        assert space.colonia is not None, space.code  # every space lies in a colonia
        assert colonia_for_point(municipality=chihuahua, point=space.centroid) == space.colonia
        assert space.directorate == parks, space.code


def test_invented_spaces_cannot_collide_with_published_codes(chihuahua):
    invented = PublicSpace.objects.filter(municipality=chihuahua).exclude(code__startswith="AC-Z")
    assert invented.count() == INVENTED
    published = [s.geometry for s in PublicSpace.objects.filter(code__startswith="AC-Z")]
    for space in invented:
        assert re.fullmatch(r"DEMO-PJ-\d{4}", space.code)
        assert space.colonia.geometry.contains(space.geometry)
        assert not space.colonia.is_rural
        assert not any(shape.intersects(space.geometry) for shape in published), space.code
        assert 100 < space.area_m2 < 15_000


def test_colonias_derived_from_the_garbage_routes_tile_the_city(chihuahua):
    colonias = Colonia.objects.filter(municipality=chihuahua)
    assert colonias.count() == len(derived_colonias()) == 164
    names = set(colonias.values_list("name", flat=True))
    assert {
        "Centro",
        "Cerro de la Cruz",
        "Riberas de Sacramento III-Valle San Pedro",  # "A-L128, RIBERAS DE SACRAMENTO III-…"
        "Granjas Cerro Grande",  # "A-M212, GRANJAS CERRO GRANDE": the route is not a name
        "Zona de la ruta R-200 Rural Sur",  # its polygons name no colonia ("SE")
    } <= names
    rural = colonias.get(name="Zona de la ruta R-200 Rural Sur")
    assert rural.is_rural and rural.kind == Colonia.Kind.LOCALITY
    assert colonias.get(name="Ejido Chuviscar").kind == Colonia.Kind.EJIDO
    centro = colonias.get(name="Centro")
    assert not centro.is_rural and centro.inegi_locality_code == "080190001"
    for colonia in colonias:
        assert colonia.geometry is not None and colonia.geometry.valid, colonia.name
        assert colonia.population > 0
    # No two overlap: their areas add up to the area of their union.
    geometries = [c.geometry for c in colonias]
    union = MultiPolygon([p for g in geometries for p in g], srid=4326).unary_union
    assert sum(g.area for g in geometries) == pytest.approx(union.area, rel=1e-6)
    # Each keeps the routes that name it: "VALLE DEL ARBOL" is route A-L128's second polygon.
    route = ServiceArea.objects.get(service_type__code=GARBAGE, code="A-L128 #2")
    arbol = colonias.get(name="Valle del Arbol")
    assert arbol.geometry.contains(route.geometry.point_on_surface)


@pytest.mark.parametrize(
    "published, name",
    [
        ("RIBERAS DE SACRAMENTO III-VALLE SAN PEDRO", "Riberas de Sacramento III-Valle San Pedro"),
        ("LOS OLIVOS-REAL DE CAROLINAS", "Los Olivos-Real de Carolinas"),
        ("CDP Y SECTOR INDEPENDENCIA", "CDP y Sector Independencia"),
        ("EL CHARCO", "El Charco"),
        ("DIVISION DEL NORTE Y MISAEL NUÑEZ", "Division del Norte y Misael Nuñez"),
    ],
)
def test_colonia_names_in_title_case(published, name):
    assert colonia_name(published) == name


def test_the_published_service_areas_by_contractor(seeded, chihuahua):
    areas = ServiceArea.objects.filter(municipality=chihuahua)
    # 227 and 46 placemarks as published; the rest are pins and drawing leftovers.
    assert areas.filter(service_type__code=GARBAGE).count() == 203
    assert areas.filter(service_type__code=LIGHTING).count() == 39
    assert len(seeded.service_areas[GARBAGE_ROUTES]) == 203
    assert len(seeded.service_areas[LIGHTING_AREAS]) == 39
    route = areas.get(service_type__code=GARBAGE, code="A-L128 #2")
    assert route.name == "A-L128, VALLE DEL ARBOL, JESUS DE LA CASAS CADENA"
    assert route.colonias_text == "VALLE DEL ARBOL"
    contractors = {
        key.split(":", 1)[1]: len(value)
        for key, value in seeded.service_areas.items()
        if key.startswith(f"{GARBAGE}:")
    }
    assert contractors == {
        "ANCHO": 4,
        "ASEO URBANO DE CHIHUAHUA": 38,
        "ASEO URBANO ESTRADA": 19,
        "COMERCIAL AUTOMOTOR": 73,
        "DIPACSA": 6,
        "JESUS DE LAS CASAS CADENA": 24,
        "LIFER DEL NORTE": 39,
    }
    assert len(seeded.service_areas[contractor_key(LIGHTING, "LIFER DEL NORTE")]) == 39
    for area in areas:
        assert area.geometry.valid and area.area_m2 > 0, area.code


def test_the_chihuahua_municipality(chihuahua):
    assert chihuahua.name == "Chihuahua"
    assert chihuahua.state == "Chihuahua"
    assert chihuahua.inegi_code == "08019"
    assert chihuahua.is_default
    assert not chihuahua.is_rural
    assert chihuahua.host_list == ["chihuahua.localhost"]
    assert chihuahua.center.distance(Point(-106.08, 28.63)) < 0.02  # the city's centre
    assert chihuahua.zoom == 12  # the published map spans about 25 km


def test_directorates_and_their_services(chihuahua):
    directorates = {d.name: d for d in Directorate.objects.filter(municipality=chihuahua)}
    assert set(directorates) == {
        "Dirección de Servicios Públicos Municipales",
        "Departamento de Parques y Jardines",
        "Departamento de Aseo Urbano",
        "Departamento de Alumbrado Público",
    }
    for directorate in directorates.values():
        assert directorate.email.endswith("@demo.villaguard.mx")
    general = directorates["Dirección de Servicios Públicos Municipales"]
    assert {s.category for s in general.services.all()} == {"green_spaces", "garbage", "lighting"}
    parks = directorates["Departamento de Parques y Jardines"]
    assert [s.code for s in parks.services.all()] == [GREEN]
    assert ServiceType.objects.filter(municipality=chihuahua).count() == 3


def test_villaflores_with_its_localities(seeded):
    villaflores = Municipality.objects.get(slug="villaflores")
    assert villaflores.inegi_code == "07108"
    assert villaflores.state == "Chiapas"
    assert villaflores.is_rural and not villaflores.is_default
    assert villaflores.host_list == ["villaflores.localhost"]
    localities = Colonia.objects.filter(municipality=villaflores, kind=Colonia.Kind.LOCALITY)
    assert localities.count() >= 15
    assert {"Villaflores", "Jesús María Garza", "Cristóbal Obregón", "Nueva Independencia"} <= set(
        localities.values_list("name", flat=True)
    )
    for locality in localities:
        assert locality.location is not None and locality.geometry is None
        assert 15.8 < locality.location.y < 16.7 and -93.8 < locality.location.x < -92.9
        assert locality.population > 0
        assert locality.is_rural == (locality.name != "Villaflores")
    seat = localities.get(name="Villaflores")
    assert seat.population == 40_000
    assert seat.inegi_locality_code == "071080001"
    urban = Colonia.objects.filter(municipality=villaflores, kind=Colonia.Kind.COLONIA)
    assert urban.count() >= 4
    assert all(not c.is_rural and c.geometry is not None for c in urban)
    assert urban.filter(geometry__intersects=seat.location).exists()


def test_an_existing_default_municipality_stays_the_default(municipality):
    seed_territory(spaces=INVENTED)
    municipality.refresh_from_db()
    assert municipality.is_default
    assert not Municipality.objects.get(slug="chihuahua").is_default
