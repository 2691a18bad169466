"""staff_role_for: the one answer to "is this user staff of this municipality, in which role"."""

import pytest

from accounts.models import Role
from accounts.selectors import (
    is_municipal_staff,
    outranks,
    reads_personal_data,
    staff_directorate_id,
    staff_role_for,
)
from accounts.services import user_create, user_set_roles
from territory.tests.factories import DirectorateFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


def make(username, municipality=None, **kwargs):
    return user_create(username=username, password=None, municipality=municipality, **kwargs)


def test_is_staff_alone_is_no_role(municipality):
    only_is_staff = make("only-is-staff", municipality, is_staff=True)
    assert staff_role_for(only_is_staff, municipality) is None
    assert not is_municipal_staff(only_is_staff, municipality)


def test_roles_hold_only_in_the_users_own_municipality(municipality):
    elsewhere = MunicipalityFactory()
    sindica = make("sindica", municipality, roles=[Role.MUNICIPAL_STAFF])
    assert staff_role_for(sindica, municipality) == Role.MUNICIPAL_STAFF
    assert staff_role_for(sindica, municipality.pk) == Role.MUNICIPAL_STAFF
    assert staff_role_for(sindica, elsewhere) is None
    assert staff_role_for(sindica, None) is None


def test_superusers_are_administrators_of_their_municipality_or_of_every_one(municipality):
    elsewhere = MunicipalityFactory()
    deployment = make("root", is_staff=True, is_superuser=True)
    local = make("root-local", municipality, is_staff=True, is_superuser=True)
    assert staff_role_for(deployment, elsewhere) == Role.ADMINISTRATOR
    assert staff_role_for(local, municipality) == Role.ADMINISTRATOR
    assert staff_role_for(local, elsewhere) is None


def test_the_highest_role_wins_and_inactive_users_have_none(municipality):
    user = make("both", municipality, roles=[Role.MUNICIPAL_STAFF, Role.ADMINISTRATOR])
    assert staff_role_for(user, municipality) == Role.ADMINISTRATOR
    user.is_active = False
    assert staff_role_for(user, municipality) is None


def test_directorate_staff_answer_for_their_directorate_and_a_role_change_shows_at_once(
    municipality,
):
    parks = DirectorateFactory(municipality=municipality)
    user = make("parques", municipality, directorate=parks, roles=[Role.DIRECTORATE_STAFF])
    assert staff_role_for(user, municipality) == Role.DIRECTORATE_STAFF
    assert staff_directorate_id(user, municipality) == parks.pk
    assert not is_municipal_staff(user, municipality)
    assert reads_personal_data(user)
    user_set_roles(user=user, roles=[])
    assert staff_role_for(user, municipality) is None
    assert not reads_personal_data(user)


def test_an_administrator_manages_their_own_users_but_not_superusers_or_others(municipality):
    administrator = make("admin-mun", municipality, roles=[Role.ADMINISTRATOR], is_staff=True)
    clerk = make("clerk", municipality)
    root_here = make("root-here", municipality, is_staff=True, is_superuser=True)
    theirs = make("theirs", MunicipalityFactory())
    assert outranks(administrator, clerk)
    assert not outranks(administrator, root_here)
    assert not outranks(administrator, theirs)
    assert not outranks(make("sindica", municipality, roles=[Role.MUNICIPAL_STAFF]), clerk)
    assert outranks(make("root", is_staff=True, is_superuser=True), root_here)
