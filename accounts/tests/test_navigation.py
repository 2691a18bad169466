"""The workspace (where the navigation to staff pages lives) shows them by the role
staff_role_for reads, never by is_staff (which only opens the admin)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_create
from territory.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

STAFF_LINKS = ("guardians:review_queue", "complaints:impact", "findings:list")


def links_on_home(client, user) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("workspace:home")).content.decode()
    return {name for name in (*STAFF_LINKS, "admin:index") if f'href="{reverse(name)}"' in html}


def make(username, municipality, **kwargs):
    return user_create(username=username, password=None, municipality=municipality, **kwargs)


def test_the_sindicatura_sees_the_staff_pages_even_without_an_admin_login(client, municipality):
    sindica = make("sindica", municipality, roles=[Role.MUNICIPAL_STAFF])
    assert links_on_home(client, sindica) == set(STAFF_LINKS)


def test_is_staff_alone_opens_only_the_admin(client, municipality):
    only_is_staff = make("only-is-staff", municipality, is_staff=True)
    assert links_on_home(client, only_is_staff) == {"admin:index"}


def test_staff_of_another_municipality_see_no_staff_pages_here(client, municipality):
    elsewhere = make("elsewhere", MunicipalityFactory(), roles=[Role.MUNICIPAL_STAFF])
    assert links_on_home(client, elsewhere) == set()
