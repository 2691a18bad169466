"""Pages of civil employees (their log) and of staff (assignments, allocations, progress)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from committees.models import Activity, Allocation, Assignment, Need, WorkProgress
from territory.tests.factories import ColoniaFactory, MunicipalityFactory

from .factories import (
    AllocationFactory,
    AssignmentFactory,
    CitizenCommitteeFactory,
    CivilEmployeeFactory,
    NeedFactory,
    PublicWorkFactory,
    make_civil_employee_user,
    make_committee_member_user,
    make_staff,
)

TODAY = timezone.localdate()
STAFF_PAGES = [
    "committees:allocation_list",
    "committees:allocation_create",
    "committees:employee_list",
    "committees:activity_list",
    "committees:assignment_create",
]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


# --- Permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [*STAFF_PAGES, "committees:activity_create", "committees:dashboard"]
)
def test_anonymous_is_sent_to_login(client, municipality, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_committee_members_and_civil_employees_are_refused_staff_pages(client, municipality, name):
    committee = CitizenCommitteeFactory(municipality=municipality)
    for user in (
        make_committee_member_user(committee=committee),
        make_civil_employee_user(municipality=municipality, communities=[ColoniaFactory()]),
    ):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_committee_member_cannot_record_an_allocation(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    colonia = committee.communities.get()
    need = NeedFactory(municipality=municipality, colonia=colonia, status="approved")
    client.force_login(make_committee_member_user(committee=committee))
    response = client.post(reverse("committees:allocation_create"), _allocation_data(colonia))
    assert response.status_code == 403
    assert not Allocation.objects.exists()
    need.refresh_from_db()
    assert need.status == Need.Status.APPROVED


def test_committee_member_cannot_log_activities(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    assert client.get(reverse("committees:activity_create")).status_code == 403


# --- Civil employees -----------------------------------------------------------------------


def _activity_data(colonia, **extra):
    return {
        "done_on": TODAY.isoformat(),
        "colonia": colonia.pk,
        "kind": "forum",
        "description": "Foro informativo sobre el programa Nos Unimos para Planear",
        "people_reached": "48",
        **extra,
    }


def test_civil_employee_sees_assignments_and_logs_an_activity(client, municipality):
    own = ColoniaFactory(municipality=municipality, name="Ejido Cuauhtémoc")
    other = ColoniaFactory(municipality=municipality, name="Colonia Ajena")
    user = make_civil_employee_user(municipality=municipality, communities=[own])
    client.force_login(user)

    dashboard = client.get(reverse("committees:dashboard")).content.decode()
    assert "My assignments" in dashboard and "Ejido Cuauhtémoc" in dashboard
    form = client.get(reverse("committees:activity_create")).content.decode()
    assert "Ejido Cuauhtémoc" in form and "Colonia Ajena" not in form

    response = client.post(reverse("committees:activity_create"), _activity_data(other))
    assert response.status_code == 200
    assert "Choose one of the communities you are assigned to." in response.content.decode()
    assert not Activity.objects.exists()

    response = client.post(
        reverse("committees:activity_create"),
        _activity_data(own, done_on=(TODAY + datetime.timedelta(days=3)).isoformat()),
    )
    assert "cannot be in the future" in response.content.decode()
    assert not Activity.objects.exists()

    response = client.post(reverse("committees:activity_create"), _activity_data(own), follow=True)
    activity = Activity.objects.get()
    assert (activity.employee, activity.colonia, activity.people_reached) == (
        user.civil_employee,
        own,
        48,
    )
    content = response.content.decode()
    assert "The activity was added to your log." in content
    assert "48 people reached" in content


def test_civil_employee_cannot_log_for_a_community_assigned_to_another_employee(
    client, municipality
):
    own = ColoniaFactory(municipality=municipality)
    theirs = ColoniaFactory(municipality=municipality)
    make_civil_employee_user(municipality=municipality, communities=[theirs])
    client.force_login(make_civil_employee_user(municipality=municipality, communities=[own]))
    response = client.post(reverse("committees:activity_create"), _activity_data(theirs))
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    assert not Activity.objects.exists()


def test_staff_assign_and_end_assignments_from_the_employees_page(client, municipality):
    employee = CivilEmployeeFactory(association__municipality=municipality)
    colonia = ColoniaFactory(municipality=municipality, name="Ricardo Flores Magón")
    foreign = ColoniaFactory(municipality=MunicipalityFactory())
    client.force_login(make_staff(municipality=municipality))
    url = reverse("committees:assignment_create")
    data = {"employee": employee.pk, "colonia": colonia.pk, "starts_on": "2025-02-01"}

    response = client.post(url, {**data, "colonia": foreign.pk})
    assert response.status_code == 200 and not Assignment.objects.exists()
    response = client.post(url, {**data, "ends_on": "2025-01-01"})
    assert "cannot end before it starts" in response.content.decode()
    assert not Assignment.objects.exists()

    response = client.post(url, data)
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    response = client.post(url, data)
    assert "already assigned to this community" in response.content.decode()

    page = client.get(reverse("committees:employee_list")).content.decode()
    assert employee.full_name in page and "Ricardo Flores Magón" in page
    client.post(
        reverse("committees:assignment_end", args=[assignment.pk]), {"ends_on": "2025-06-30"}
    )
    assignment.refresh_from_db()
    assert assignment.ends_on == datetime.date(2025, 6, 30)
    response = client.post(
        reverse("committees:assignment_end", args=[assignment.pk]),
        {"ends_on": "2025-07-30"},
        follow=True,
    )
    assert "already ended" in response.content.decode()


# --- Allocations ---------------------------------------------------------------------------


def _allocation_data(colonia, **extra):
    return {
        "colonia": colonia.pk,
        "item": "Láminas galvanizadas",
        "quantity": "200",
        "unit": "pieza",
        "value": "64000",
        "delivered_on": "2025-06-10",
        "source": "state",
        "signed_by": "Rosa Hernández",
        **extra,
    }


def test_staff_record_an_allocation_that_moves_the_need(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    colonia = committee.communities.get()
    need = NeedFactory(municipality=municipality, colonia=colonia, status="approved")
    client.force_login(make_staff(municipality=municipality))
    form = client.get(reverse("committees:allocation_create") + f"?need={need.pk}")
    assert form.status_code == 200
    response = client.post(
        reverse("committees:allocation_create"),
        _allocation_data(colonia, need=need.pk, committee=committee.pk, completes_need="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("committees:allocation_list")
    allocation = Allocation.objects.get()
    assert allocation.committee == committee and allocation.value == Decimal("64000")
    need.refresh_from_db()
    assert need.status == Need.Status.DELIVERED
    listing = client.get(reverse("committees:allocation_list")).content.decode()
    assert "Láminas galvanizadas" in listing and "Rosa Hernández" in listing


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"quantity": "-3"}, "The quantity must be more than zero."),
        ({"quantity": "abc"}, "Enter a number."),
        ({"value": "-10"}, "The value cannot be negative."),
        ({"delivered_on": "2999-01-01"}, "The delivery date cannot be in the future."),
        ({"item": ""}, "This field is required."),
    ],
)
def test_allocation_form_with_bad_input_shows_a_message_and_saves_nothing(
    client, municipality, extra, message
):
    colonia = ColoniaFactory(municipality=municipality)
    client.force_login(make_staff(municipality=municipality))
    response = client.post(
        reverse("committees:allocation_create"), _allocation_data(colonia, **extra)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Allocation.objects.exists()


def test_allocation_form_refuses_a_need_of_another_municipality_or_community(client, municipality):
    colonia = ColoniaFactory(municipality=municipality)
    foreign = NeedFactory(municipality=MunicipalityFactory(), status="approved")
    elsewhere = NeedFactory(municipality=municipality, status="approved")
    identified = NeedFactory(municipality=municipality, colonia=colonia)
    client.force_login(make_staff(municipality=municipality))
    url = reverse("committees:allocation_create")
    for need, message in [
        (foreign, "Choose a need of this municipality"),
        (identified, "Choose a need of this municipality"),
        (elsewhere, "The need is of another community."),
    ]:
        response = client.post(url, _allocation_data(colonia, need=need.pk))
        assert response.status_code == 200
        assert message in response.content.decode(), need
    assert not Allocation.objects.exists()
    assert set(Need.objects.values_list("status", flat=True)) == {"approved", "identified"}


# --- Progress of works ---------------------------------------------------------------------


def test_staff_report_progress_shown_on_the_works_page(client, municipality):
    work = PublicWorkFactory(municipality=municipality, name="Camino a Benito Juárez")
    WorkProgress.objects.create(work=work, reported_on=datetime.date(2025, 5, 28), percent=40)
    assert "Report progress" not in client.get(reverse("committees:work_list")).content.decode()
    client.force_login(make_staff(municipality=municipality))
    assert "Report progress" in client.get(reverse("committees:work_list")).content.decode()
    url = reverse("committees:work_progress", args=[work.pk])
    response = client.post(url, {"reported_on": "2025-06-28", "percent": "30", "note": ""})
    assert "cannot go below the last report (40 %)" in response.content.decode()
    response = client.post(url, {"reported_on": "2025-06-28", "percent": "65", "note": "Cunetas"})
    assert response.status_code == 302
    page = client.get(reverse("committees:work_list")).content.decode()
    assert 'value="65"' in page and "Cunetas" in page
    assert WorkProgress.objects.filter(work=work).count() == 2


def test_progress_form_refuses_members_and_works_of_other_municipalities(client, municipality):
    work = PublicWorkFactory(municipality=municipality)
    foreign = PublicWorkFactory(municipality=MunicipalityFactory())
    committee = CitizenCommitteeFactory(municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    data = {"reported_on": "2025-06-28", "percent": "65"}
    assert client.post(reverse("committees:work_progress", args=[work.pk]), data).status_code == 403
    client.force_login(make_staff(municipality=municipality))
    assert (
        client.post(reverse("committees:work_progress", args=[foreign.pk]), data).status_code == 404
    )
    assert not WorkProgress.objects.exists()


# --- Query counts --------------------------------------------------------------------------


def _populate(municipality, count):
    for _ in range(count):
        committee = CitizenCommitteeFactory(municipality=municipality)
        colonia = committee.communities.get()
        need = NeedFactory(municipality=municipality, colonia=colonia, status="in_execution")
        AllocationFactory(
            municipality=municipality,
            colonia=colonia,
            need=need,
            committee=committee,
            work=PublicWorkFactory(municipality=municipality),
        )
        employee = CivilEmployeeFactory(association__municipality=municipality)
        AssignmentFactory(employee=employee, colonia=colonia)
        AssignmentFactory(employee=employee)
        for kind in ("forum", "visit"):
            Activity.objects.create(
                employee=employee, colonia=colonia, done_on=TODAY, kind=kind, description="x"
            )


@pytest.mark.parametrize(
    "name", ["committees:allocation_list", "committees:employee_list", "committees:activity_list"]
)
def test_staff_lists_cost_the_same_queries_with_few_and_many_rows(
    client, municipality, name, django_assert_num_queries
):
    client.force_login(make_staff(municipality=municipality))
    url = reverse(name)
    _populate(municipality, 1)
    client.get(url)  # caches the municipality's host map
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _populate(municipality, 15)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= 16


def test_civil_employee_dashboard_queries_do_not_grow_with_assignments(
    client, municipality, django_assert_num_queries
):
    user = make_civil_employee_user(
        municipality=municipality, communities=[ColoniaFactory(municipality=municipality)]
    )
    client.force_login(user)
    url = reverse("committees:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        colonia = ColoniaFactory(municipality=municipality)
        AssignmentFactory(employee=user.civil_employee, colonia=colonia)
        Activity.objects.create(
            employee=user.civil_employee, colonia=colonia, done_on=TODAY, description="x"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
