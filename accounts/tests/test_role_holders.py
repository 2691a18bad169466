"""Who holds a role, as a set (role_holders), and the apps that used to answer it their own way:
a directorate on the user's record is no role without the directorate-staff group."""

import pytest

from accounts.models import Role
from accounts.selectors import role_holders
from accounts.services import user_create
from findings.models import Finding
from territory.tests.factories import DirectorateFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


def make(username, municipality, **kwargs):
    return user_create(username=username, password=None, municipality=municipality, **kwargs)


def test_role_holders_are_the_active_members_of_the_role_groups(municipality):
    parks = DirectorateFactory(municipality=municipality)
    sindica = make("sindica", municipality, roles=[Role.MUNICIPAL_STAFF])
    gone = make("gone", municipality, roles=[Role.MUNICIPAL_STAFF])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    make("elsewhere", MunicipalityFactory(), roles=[Role.MUNICIPAL_STAFF])
    make("only-is-staff", municipality, is_staff=True)
    parks_staff = make("parques", municipality, roles=[Role.DIRECTORATE_STAFF], directorate=parks)

    assert list(role_holders(Role.MUNICIPAL_STAFF, municipality=municipality)) == [sindica]
    assert set(
        role_holders(Role.MUNICIPAL_STAFF, municipality=municipality, include_inactive=True)
    ) == {sindica, gone}
    assert list(role_holders(Role.DIRECTORATE_STAFF, directorate=parks)) == [parks_staff]


def test_a_directorate_without_the_role_reads_no_findings(municipality):
    parks = DirectorateFactory(municipality=municipality)
    no_role = make("no-role", municipality, directorate=parks)
    with_role = make("parques", municipality, roles=[Role.DIRECTORATE_STAFF], directorate=parks)

    assert Finding.objects.visible_to(no_role, municipality).query.is_empty()
    assert not Finding.objects.visible_to(with_role, municipality).query.is_empty()
