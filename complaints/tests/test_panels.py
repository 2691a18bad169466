"""What complaints add to other apps' pages through the AppConfig registry (territory.panels)."""

import datetime

import pytest
from django.urls import reverse

from guardians import services as guardian_services
from guardians.tests.conftest import make_world

pytestmark = pytest.mark.django_db


def test_a_guardians_visit_links_to_the_complaints_brief_of_its_colonia(client, municipality):
    world = make_world(municipality)
    visit = guardian_services.visit_create(
        municipality=municipality,
        date=datetime.date(2026, 3, 10),
        colonia=world.colonia_a,
        people_contacted=4,
    )
    client.force_login(world.staff)
    response = client.get(visit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    brief = reverse("complaints:brief")
    expected = f"{brief}?colonia={world.colonia_a.pk}&amp;start=2025-03-10&amp;end=2026-03-10"
    assert response.status_code == 200
    assert f'href="{expected}"' in response.content.decode()
    assert "Complaints brief for this colonia" in response.content.decode()
