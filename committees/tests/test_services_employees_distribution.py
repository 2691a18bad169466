"""Civil employees' log and assignments, allocations moving needs, progress of works."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from committees import services
from committees.models import Activity, Allocation, Assignment, Need, WorkProgress
from committees.permissions import Participant, participant_for
from territory.tests.factories import ColoniaFactory, MunicipalityFactory

from .factories import (
    AssignmentFactory,
    CitizenCommitteeFactory,
    CivilEmployeeFactory,
    NeedFactory,
    PublicWorkFactory,
    make_civil_employee_user,
)

S = Need.Status
STAFF = Participant(is_staff=True)
MEMBER = Participant(committee_ids=frozenset({1}), colonia_ids=frozenset({1}))
TODAY = timezone.localdate()


# --- Assignments ---------------------------------------------------------------------------


def test_staff_assign_an_employee_once_per_period(municipality):
    employee = CivilEmployeeFactory(association__municipality=municipality)
    colonia = ColoniaFactory(municipality=municipality)
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            participant=MEMBER, employee=employee, colonia=colonia, starts_on=TODAY
        )
    assignment = services.assignment_create(
        participant=STAFF, employee=employee, colonia=colonia, starts_on=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as overlap:
        services.assignment_create(
            participant=STAFF, employee=employee, colonia=colonia, starts_on=TODAY
        )
    assert "already assigned" in str(overlap.value)
    services.assignment_end(
        participant=STAFF, assignment=assignment, ends_on=datetime.date(2025, 3, 31)
    )
    # After the first ended, a new period for the same community is fine.
    services.assignment_create(
        participant=STAFF, employee=employee, colonia=colonia, starts_on=datetime.date(2025, 4, 1)
    )
    assert Assignment.objects.count() == 2


def test_assignment_to_a_community_of_another_municipality_or_backwards_is_refused(municipality):
    employee = CivilEmployeeFactory(association__municipality=municipality)
    foreign = ColoniaFactory(municipality=MunicipalityFactory())
    with pytest.raises(ValidationError) as error:
        services.assignment_create(
            participant=STAFF, employee=employee, colonia=foreign, starts_on=TODAY
        )
    assert "another municipality" in str(error.value)
    with pytest.raises(ValidationError):
        services.assignment_create(
            participant=STAFF,
            employee=employee,
            colonia=ColoniaFactory(municipality=municipality),
            starts_on=datetime.date(2025, 5, 1),
            ends_on=datetime.date(2025, 4, 1),
        )
    assert not Assignment.objects.exists()


# --- Activity log --------------------------------------------------------------------------


def test_employee_logs_only_in_communities_assigned_on_that_day(municipality):
    own = ColoniaFactory(municipality=municipality)
    other = ColoniaFactory(municipality=municipality)
    user = make_civil_employee_user(municipality=municipality, communities=[own])
    employee = user.civil_employee
    activity = services.activity_record(
        employee=employee,
        colonia=own,
        done_on=TODAY,
        kind=Activity.Kind.CAMPAIGN,
        description="  Perifoneo sobre el foro de planeación  ",
        people_reached=140,
    )
    assert activity.description == "Perifoneo sobre el foro de planeación"
    assert activity.people_reached == 140 and activity.recorded_at is not None

    for colonia, done_on, message in [
        (other, TODAY, "not assigned to this community"),
        (own, datetime.date(2023, 12, 31), "not assigned to this community"),  # before it began
        (own, TODAY + datetime.timedelta(days=1), "cannot be in the future"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.activity_record(
                employee=employee,
                colonia=colonia,
                done_on=done_on,
                kind=Activity.Kind.VISIT,
                description="Intento",
            )
        assert message in str(error.value)
    assert Activity.objects.count() == 1


def test_employee_without_current_assignment_still_participates_but_acts_nowhere(municipality):
    user = make_civil_employee_user(municipality=municipality)
    AssignmentFactory(
        employee=user.civil_employee,
        colonia=ColoniaFactory(municipality=municipality),
        ends_on=datetime.date(2024, 12, 31),
    )
    participant = participant_for(user, municipality)
    assert participant.can_participate and participant.is_civil_employee
    assert participant.colonia_ids == frozenset()


# --- Allocations ---------------------------------------------------------------------------


def _allocate(municipality, colonia, **extra):
    data = {
        "municipality": municipality,
        "participant": STAFF,
        "colonia": colonia,
        "item": "Tubería hidráulica de 4 pulgadas",
        "quantity": Decimal("120"),
        "unit": "m",
        "value": Decimal("48000"),
        "delivered_on": datetime.date(2025, 6, 2),
        "source": "federal",
    }
    return services.allocation_record(**{**data, **extra})


def test_allocation_puts_an_approved_need_in_execution_then_the_last_one_delivers_it(
    municipality,
):
    committee = CitizenCommitteeFactory(municipality=municipality)
    colonia = committee.communities.get()
    need = NeedFactory(
        municipality=municipality, colonia=colonia, committee=committee, status=S.APPROVED
    )
    first = _allocate(municipality, colonia, need=need)
    need.refresh_from_db()
    assert need.status == S.IN_EXECUTION
    assert first.committee == committee  # the need's committee signs when none is given
    assert need.history.last().note.startswith("Allocation: 120 m of Tubería")

    _allocate(municipality, colonia, need=need, completes_need=True, item="Bomba sumergible")
    need.refresh_from_db()
    assert need.status == S.DELIVERED
    assert list(need.history.values_list("to_status", flat=True)) == [
        S.IN_EXECUTION,
        S.DELIVERED,
    ]
    # A delivered need takes no more allocations.
    with pytest.raises(ValidationError) as error:
        _allocate(municipality, colonia, need=need)
    assert "delivered" in str(error.value)
    assert Allocation.objects.count() == 2


def test_prioritised_need_goes_straight_to_delivered_with_municipal_resources(municipality):
    need = NeedFactory(municipality=municipality, status=S.PRIORITISED, priority=1)
    _allocate(municipality, need.colonia, need=need, source="municipal", completes_need=True)
    need.refresh_from_db()
    assert need.status == S.DELIVERED
    assert list(need.history.values_list("from_status", "to_status")) == [
        (S.PRIORITISED, S.IN_EXECUTION),
        (S.IN_EXECUTION, S.DELIVERED),
    ]


@pytest.mark.parametrize("status", [S.IDENTIFIED, S.REQUISITIONED, S.REJECTED])
def test_allocation_refuses_needs_not_yet_answerable(municipality, status):
    need = NeedFactory(municipality=municipality, status=status, rejection_reason="x")
    with pytest.raises(ValidationError) as error:
        _allocate(municipality, need.colonia, need=need)
    assert "need" in error.value.message_dict
    need.refresh_from_db()
    assert need.status == status
    assert not Allocation.objects.exists()


def test_allocation_rules(municipality):
    colonia = ColoniaFactory(municipality=municipality)
    other_town = MunicipalityFactory()
    foreign_need = NeedFactory(municipality=other_town, status=S.APPROVED)
    foreign_committee = CitizenCommitteeFactory(municipality=municipality)  # another community
    cases = [
        ({"participant": MEMBER}, PermissionDenied, None),
        ({"quantity": Decimal("-5")}, ValidationError, "quantity"),
        ({"quantity": Decimal("0")}, ValidationError, "quantity"),
        ({"value": Decimal("-1")}, ValidationError, "value"),
        ({"delivered_on": TODAY + datetime.timedelta(days=2)}, ValidationError, "delivered_on"),
        ({"need": foreign_need}, ValidationError, "need"),
        ({"committee": foreign_committee}, ValidationError, "committee"),
        ({"completes_need": True}, ValidationError, "completes_need"),
        (
            {"work": PublicWorkFactory(municipality=other_town)},
            ValidationError,
            "work",
        ),
    ]
    for extra, exception, field in cases:
        with pytest.raises(exception) as error:
            _allocate(municipality, colonia, **extra)
        if field:
            assert field in error.value.message_dict, extra
    assert not Allocation.objects.exists()


# --- Progress of works ---------------------------------------------------------------------


def test_progress_is_reported_by_staff_in_date_order_and_never_goes_back(municipality):
    work = PublicWorkFactory(municipality=municipality)
    with pytest.raises(PermissionDenied):
        services.work_progress_report(work=work, participant=MEMBER, reported_on=TODAY, percent=10)
    services.work_progress_report(
        work=work, participant=STAFF, reported_on=datetime.date(2025, 5, 28), percent=35
    )
    for reported_on, percent, field in [
        (datetime.date(2025, 5, 1), 50, "reported_on"),
        (datetime.date(2025, 6, 28), 20, "percent"),
        (datetime.date(2025, 6, 28), 101, "percent"),
        (TODAY + datetime.timedelta(days=1), 60, "reported_on"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.work_progress_report(
                work=work, participant=STAFF, reported_on=reported_on, percent=percent
            )
        assert field in error.value.message_dict
    services.work_progress_report(
        work=work,
        participant=STAFF,
        reported_on=datetime.date(2025, 6, 28),
        percent=55,
        note=" Base hidráulica terminada ",
    )
    assert list(WorkProgress.objects.values_list("percent", "note")) == [
        (35, ""),
        (55, "Base hidráulica terminada"),
    ]
