"""Territory's demo seeders (``territory.demo``), run on their own: they need no other app."""

import re

import pytest
from django.contrib.gis.geos import Point

from core import demo
from territory.demo import GREEN
from territory.geometry import area_m2
from territory.models import Colonia, Directorate, Municipality, PublicSpace, ServiceType
from territory.services import colonia_for_point

pytestmark = pytest.mark.django_db


def seed_territory(**options) -> demo.DemoContext:
    context = demo.DemoContext(**options)
    for seeder in demo.app_seeders(["territory"]):
        seeder(context)
    return context


@pytest.fixture
def seeded():
    return seed_territory(spaces=60)


@pytest.fixture
def chihuahua(seeded):
    return Municipality.objects.get(slug="chihuahua")


def test_running_twice_leaves_the_same_places():
    seed_territory(spaces=60)
    spaces = dict(PublicSpace.objects.values_list("code", "geometry"))
    colonias = Colonia.objects.count()
    context = seed_territory(spaces=60)
    assert dict(PublicSpace.objects.values_list("code", "geometry")) == spaces
    assert Colonia.objects.count() == colonias
    assert sum(len(codes) for codes in context.space_codes_by_zone.values()) == 57


def test_too_few_spaces_are_refused_before_anything_is_written():
    with pytest.raises(demo.DemoError, match="at least 12"):
        demo.seed(spaces=11, with_users=False)
    assert not Municipality.objects.exists()


def test_the_chihuahua_municipality(chihuahua):
    assert chihuahua.name == "Chihuahua"
    assert chihuahua.state == "Chihuahua"
    assert chihuahua.inegi_code == "08019"
    assert chihuahua.is_default
    assert not chihuahua.is_rural
    assert chihuahua.host_list == ["chihuahua.localhost"]
    assert chihuahua.center.distance(Point(-106.08, 28.63)) < 0.01


def test_about_fifty_colonias_with_polygons_and_populations(chihuahua):
    colonias = Colonia.objects.filter(municipality=chihuahua)
    assert 45 <= colonias.count() <= 60
    assert {"Centro", "Santa Rita", "Cerro de la Cruz", "Riberas de Sacramento"} <= set(
        colonias.values_list("name", flat=True)
    )
    for colonia in colonias:
        assert colonia.geometry is not None and colonia.geometry.valid
        assert colonia.population > 0
    # They tile the city: no two overlap.
    polygons = [c.geometry for c in colonias]
    for index, polygon in enumerate(polygons):
        for other in polygons[index + 1 :]:
            assert polygon.intersection(other).area < 1e-12


def test_every_space_lies_inside_its_colonia_with_derived_area_and_centroid(chihuahua):
    spaces = PublicSpace.objects.filter(municipality=chihuahua).select_related("colonia")
    assert spaces.count() == 60
    for space in spaces:
        assert space.geometry.valid
        assert space.colonia is not None
        assert space.colonia.geometry.contains(space.geometry)
        assert colonia_for_point(municipality=chihuahua, point=space.centroid) == space.colonia
        assert space.centroid.within(space.geometry)
        assert space.area_m2 == pytest.approx(area_m2(space.geometry))
        assert 100 < space.area_m2 < 15_000
        assert re.fullmatch(r"AC-(Z(1[1-9]|2[01])|PJ)-\d{4}", space.code)
        assert space.name.split()[0] in {
            "Parque",
            "Jardín",
            "Camellón",
            "Triángulo",
            "Plaza",
            "Plazuela",
            "Unidad",
            "Cancha",
        }
    assert set(spaces.values_list("kind", flat=True)) >= {"park", "garden", "median"}


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


def test_lighting_sectors_in_two_halves_and_garbage_routes(seeded):
    context = seeded
    west, east = context.service_areas["lighting-west"], context.service_areas["lighting-east"]
    assert west and east and not {a.pk for a in west} & {a.pk for a in east}
    assert max(a.geometry.centroid.x for a in west) < min(a.geometry.centroid.x for a in east)
    routes = context.service_areas["garbage-routes"]
    assert len(routes) >= 10
    assert all(route.geometry.valid and route.area_m2 > 1_000_000 for route in routes)


def test_an_existing_default_municipality_stays_the_default(municipality):
    seed_territory(spaces=60)
    municipality.refresh_from_db()
    assert municipality.is_default
    assert not Municipality.objects.get(slug="chihuahua").is_default
