"""The "Visits and training" section of the workspace and a guardian's upcoming visits."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from territory.tests.factories import ColoniaFactory, MunicipalityFactory, square

from .. import services
from ..models import Visit
from ..workspace_visits import (
    PLANNED_THIS_WEEK_QUERY,
    guardian_visits_section,
    visits_training_section,
)

pytestmark = pytest.mark.django_db


def _request(rf, user, municipality, roles):
    request = rf.get("/workspace/")
    request.user = user
    request.municipality = municipality
    request.session = {"villaguard_roles": list(roles)}
    return request


def _plan(world, days, colonia=None, invited=()):
    return services.visit_plan(
        municipality=world.municipality,
        date=timezone.localdate() + datetime.timedelta(days=days),
        colonia=colonia or world.colonia_a,
        guardians_invited=invited,
    )


def test_staff_get_the_section_with_the_week_queue(world, rf):
    _plan(world, days=0)
    other = MunicipalityFactory(slug="otro")
    services.visit_plan(
        municipality=other,
        date=timezone.localdate(),
        colonia=ColoniaFactory(municipality=other, geometry=square(-100, 20, 0.05)),
    )
    request = _request(rf, world.staff, world.municipality, [Role.MUNICIPAL_STAFF])
    with CaptureQueriesContext(connection) as queries:
        section = visits_training_section(request=request)
    assert len(queries) == 1
    queue = section.queues[0]
    assert queue.key == "visits_planned_this_week" and queue.count == 1  # not the other's
    assert queue.url == reverse("guardians:visit_list") + "?" + PLANNED_THIS_WEEK_QUERY
    urls = {link.url for link in section.links}
    assert {
        reverse("guardians:visit_plan"),
        reverse("guardians:visit_list"),
        reverse("guardians:training_list"),
        reverse("guardians:training_report_all"),
    } <= urls


def test_the_queue_costs_one_query_whatever_the_number_of_visits(world, rf):
    request = _request(rf, world.staff, world.municipality, [Role.MUNICIPAL_STAFF])
    for days in range(0, 20):
        _plan(world, days=days % 7)
    with CaptureQueriesContext(connection) as queries:
        visits_training_section(request=request)
    assert len(queries) == 1


def test_the_queue_link_lists_what_it_counts(world, client, rf):
    today = timezone.localdate()
    _plan(world, days=0)
    _plan(world, days=6 - today.weekday())  # Sunday: still this week
    _plan(world, days=7 - today.weekday() + 1)  # next week
    client.force_login(world.staff)
    section = visits_training_section(
        request=_request(rf, world.staff, world.municipality, [Role.MUNICIPAL_STAFF])
    )
    response = client.get(section.queues[0].url)
    assert len(response.context["page"].object_list) == section.queues[0].count


def test_roles_without_the_program_get_no_section(world, rf):
    directorate_user = world.guardian_a.user
    for roles in ([], [Role.GUARDIAN], [Role.DIRECTORATE_STAFF], [Role.COMMITTEE_MEMBER]):
        request = _request(rf, directorate_user, world.municipality, roles)
        assert visits_training_section(request=request) is None


def test_guardians_see_their_upcoming_visits(world, rf):
    _plan(world, days=1)  # their colonia
    _plan(world, days=2, colonia=world.colonia_b, invited=[world.guardian_a])
    _plan(world, days=3, colonia=world.colonia_b)  # neither
    past = _plan(world, days=0)
    Visit.objects.filter(pk=past.pk).update(date=timezone.localdate() - datetime.timedelta(days=1))
    world.guardian_a.user.groups.add(Group.objects.get_or_create(name=Role.GUARDIAN)[0])
    request = _request(rf, world.guardian_a.user, world.municipality, [Role.GUARDIAN])
    section = guardian_visits_section(request=request)
    assert section.queues[0].count == 2
    assert section.queues[0].url == reverse("guardians:my_visits")
    staff_request = _request(rf, world.staff, world.municipality, [Role.MUNICIPAL_STAFF])
    assert guardian_visits_section(request=staff_request) is None


def test_the_workspace_page_shows_the_section_to_staff(world, client):
    _plan(world, days=0)
    client.force_login(world.staff)
    html = client.get(reverse("workspace:home")).content.decode()
    assert reverse("guardians:visit_plan") in html
    assert PLANNED_THIS_WEEK_QUERY.replace("&", "&amp;") in html
