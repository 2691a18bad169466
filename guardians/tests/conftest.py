import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role
from territory.models import ServiceType
from territory.tests.factories import ColoniaFactory, PublicSpaceFactory, square

from .. import services
from .factories import GuardianFactory, UserFactory


class World:
    """Two colonias with spaces, the default cards, guardians in each and a staff user."""


@pytest.fixture
def world(municipality):
    return make_world(municipality)


def make_world(municipality) -> World:
    w = World()
    w.municipality = municipality
    w.colonia_a = ColoniaFactory(
        municipality=municipality, name="Centro", geometry=square(-106.10, 28.60, 0.05)
    )
    w.colonia_b = ColoniaFactory(
        municipality=municipality, name="Dale", geometry=square(-106.00, 28.60, 0.05)
    )
    w.spaces_a = [
        PublicSpaceFactory(
            municipality=municipality,
            code=f"A-{i}",
            name=f"Parque A{i}",
            geometry=square(-106.09 + i * 0.002, 28.62),
        )
        for i in range(3)
    ]
    w.spaces_b = [
        PublicSpaceFactory(
            municipality=municipality,
            code=f"B-{i}",
            name=f"Parque B{i}",
            geometry=square(-105.99 + i * 0.002, 28.62),
        )
        for i in range(2)
    ]
    services.seed_card_templates(municipality=municipality)
    w.green = ServiceType.objects.get(municipality=municipality, code="green-spaces")
    w.lighting = ServiceType.objects.get(municipality=municipality, code="lighting")
    w.green_template = w.green.card_templates.get(is_current=True)
    w.lighting_template = w.lighting.card_templates.get(is_current=True)
    w.guardian_a = GuardianFactory(municipality=municipality, colonia=w.colonia_a)
    w.guardian_a2 = GuardianFactory(municipality=municipality, colonia=w.colonia_a)
    w.lead_a = GuardianFactory(municipality=municipality, colonia=w.colonia_a, is_lead=True)
    w.guardian_b = GuardianFactory(municipality=municipality, colonia=w.colonia_b)
    w.staff = UserFactory(municipality=municipality, username="staff", is_staff=True)
    w.staff.groups.add(Group.objects.get_or_create(name=Role.MUNICIPAL_STAFF)[0])
    return w


def green_answers(template, **overrides) -> dict:
    """Valid answers by item code, turned into {item id: value}."""
    by_code = {
        "grass-cut": "yes",
        "litter-removed": "no",
        "irrigation": "yes",
        "trees-pruned": "yes",
        "furniture": "4",
        "playground": None,
        "overall": "2",
        "problems": ["late"],
        "comments": "Falta recoger basura",
    }
    by_code.update(overrides)
    return {item.pk: by_code.get(item.code) for item in template.items.all()}


def file_card(w, guardian=None, space=None, client_id=None, **kwargs):
    import uuid

    guardian = guardian or w.guardian_a
    return services.card_submit(
        guardian=guardian,
        client_id=client_id or uuid.uuid4(),
        template=kwargs.pop("template", w.green_template),
        space=space or w.spaces_a[0],
        observed_on=kwargs.pop("observed_on", timezone.localdate() - datetime.timedelta(days=1)),
        answers=kwargs.pop("answers", None) or green_answers(w.green_template),
        **kwargs,
    )
