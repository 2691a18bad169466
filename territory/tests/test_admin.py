"""Editing territory in the admin: what is derived from a boundary is derived again."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from territory.models import PublicSpace, ServiceArea
from territory.tests.factories import (
    ColoniaFactory,
    PublicSpaceFactory,
    ServiceTypeFactory,
    square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, municipality):
    user = User.objects.create_user(
        username="sindicatura", password="x", is_staff=True, municipality=municipality
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="territory"))
    client.force_login(user)
    return client


def test_saving_a_space_rederives_area_centroid_and_colonia(staff_client, municipality):
    north = ColoniaFactory(municipality=municipality, geometry=square(-106.10, 28.70, 0.05))
    south = ColoniaFactory(municipality=municipality, geometry=square(-106.10, 28.60, 0.05))
    space = PublicSpaceFactory(municipality=municipality, geometry=square(-106.09, 28.61, 0.001))
    assert space.colonia == south
    before = space.area_m2
    moved = square(-106.09, 28.71, 0.002)  # four times bigger, in the northern colonia

    response = staff_client.post(
        reverse("admin:territory_publicspace_change", args=[space.pk]),
        {"code": space.code, "name": "Parque movido", "kind": "park", "geometry": moved.geojson},
    )

    assert response.status_code == 302
    space.refresh_from_db()
    assert space.name == "Parque movido"
    assert space.colonia == north
    assert space.area_m2 == pytest.approx(before * 4, rel=0.01)
    assert space.centroid.distance(moved.centroid) < 1e-6


def test_adding_a_space_and_a_service_area_derives_their_geometry(staff_client, municipality):
    colonia = ColoniaFactory(municipality=municipality)
    service = ServiceTypeFactory(municipality=municipality)
    boundary = square(-106.09, 28.62, 0.001)

    staff_client.post(
        reverse("admin:territory_publicspace_add"),
        {"code": "AC-Z11-0100", "name": "Jardín", "kind": "garden", "geometry": boundary.geojson},
    )
    staff_client.post(
        reverse("admin:territory_servicearea_add"),
        {
            "code": "RUTA-1",
            "name": "Ruta uno",
            "service_type": service.pk,
            "geometry": boundary.geojson,
        },
    )

    space = PublicSpace.objects.get(code="AC-Z11-0100")
    assert (space.municipality, space.colonia) == (municipality, colonia)
    assert space.area_m2 > 10_000
    area = ServiceArea.objects.get(code="RUTA-1")
    assert area.municipality == municipality
    assert area.area_m2 == pytest.approx(space.area_m2)
    assert area.centroid.distance(boundary.centroid) < 1e-6


def test_geometry_is_edited_with_leaflet(staff_client, municipality):
    space = PublicSpaceFactory(municipality=municipality)
    response = staff_client.get(reverse("admin:territory_publicspace_change", args=[space.pk]))
    widget = response.context["adminform"].form.fields["geometry"].widget
    assert type(widget).__module__.startswith("leaflet")
    assert "leaflet" in response.content.decode().lower()


@pytest.mark.parametrize("rows", [10, 200])
def test_space_changelist_query_count_is_constant(
    staff_client, municipality, django_assert_num_queries, rows
):
    ColoniaFactory(municipality=municipality)
    PublicSpaceFactory.create_batch(rows, municipality=municipality)
    url = reverse("admin:territory_publicspace_changelist")
    staff_client.get(url)  # warm the session and the host map
    # Session, user, municipality, permissions, filter choices, counts and one page of rows:
    # the same for 10 rows as for 200.
    with django_assert_num_queries(11):
        response = staff_client.get(url)
    assert len(response.context["cl"].result_list) == min(rows, 100)
