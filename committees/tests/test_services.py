import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from committees import services
from committees.models import Need, NeedStatusChange, Requisition
from committees.permissions import Participant, participant_for
from territory.tests.factories import ColoniaFactory, MunicipalityFactory

from .factories import (
    CitizenCommitteeFactory,
    CivilEmployeeFactory,
    InstitutionFactory,
    NeedFactory,
    ProgramFactory,
    make_committee_member_user,
    make_staff,
    make_user,
)

S = Need.Status
STAFF = Participant(is_staff=True)


@pytest.fixture
def committee(municipality):
    return CitizenCommitteeFactory(municipality=municipality)


def member_of(committee):
    user = make_committee_member_user(committee=committee)
    return user, participant_for(user, committee.municipality)


# --- Permissions ---------------------------------------------------------------------------


def test_member_acts_only_for_the_communities_of_their_committee(committee):
    other = CitizenCommitteeFactory(municipality=committee.municipality)
    user, participant = member_of(committee)
    own = committee.communities.get()
    foreign = other.communities.get()

    assert participant.colonia_ids == {own.pk}
    assert participant.committee_ids == {committee.pk}
    need = services.need_create(
        municipality=committee.municipality,
        participant=participant,
        user=user,
        colonia=own,
        category="water",
        description="Pozo sin bomba",
        people_affected=80,
        estimated_cost=Decimal("90000"),
    )
    assert need.committee == committee
    with pytest.raises(PermissionDenied):
        services.need_create(
            municipality=committee.municipality,
            participant=participant,
            colonia=foreign,
            category="water",
            description="Intento ajeno",
            people_affected=1,
            estimated_cost=Decimal("1"),
        )
    assert not Need.objects.filter(description="Intento ajeno").exists()
    foreign_need = NeedFactory(municipality=committee.municipality, colonia=foreign)
    with pytest.raises(PermissionDenied):
        services.need_update(need=foreign_need, participant=participant, description="Cambio")
    foreign_need.refresh_from_db()
    assert foreign_need.description != "Cambio"


def test_ceased_member_and_user_without_group_have_no_communities(committee):
    user, _ = member_of(committee)
    membership = user.committee_memberships.get()
    membership.ceased_on = datetime.date(2025, 1, 1)
    membership.save()
    assert participant_for(user, committee.municipality).colonia_ids == frozenset()

    no_group = make_user(municipality=committee.municipality)
    from .factories import CommitteeMemberFactory

    CommitteeMemberFactory(committee=committee, user=no_group)
    assert not participant_for(no_group, committee.municipality).can_participate


def test_staff_of_another_municipality_is_nobody_here(committee):
    stranger = make_staff(municipality=MunicipalityFactory())
    assert not participant_for(stranger, committee.municipality).is_staff
    assert participant_for(
        make_staff(municipality=committee.municipality), committee.municipality
    ).is_staff


def test_civil_employee_acts_for_assigned_communities(municipality):
    from accounts.models import Role
    from committees.models import Assignment

    colonia = ColoniaFactory(municipality=municipality)
    ColoniaFactory(municipality=municipality)
    user = make_user(municipality=municipality, role=Role.CIVIL_EMPLOYEE)
    employee = CivilEmployeeFactory(association__municipality=municipality, user=user)
    Assignment.objects.create(
        employee=employee, colonia=colonia, starts_on=datetime.date(2024, 1, 1)
    )
    participant = participant_for(user, municipality)
    assert participant.colonia_ids == {colonia.pk}
    assert participant.civil_employee_id == employee.pk


# --- Need workflow -------------------------------------------------------------------------


def test_member_prioritises_and_rejects_but_cannot_skip_ahead(committee):
    user, participant = member_of(committee)
    need = NeedFactory(municipality=committee.municipality, colonia=committee.communities.get())

    with pytest.raises(services.NeedTransitionError) as error:
        services.need_transition(need=need, to_status=S.PRIORITISED, participant=participant)
    assert error.value.code == "no_priority"

    need = services.need_transition(
        need=need, to_status=S.PRIORITISED, participant=participant, user=user, priority=1
    )
    assert (need.status, need.priority) == (S.PRIORITISED, 1)

    with pytest.raises(services.NeedTransitionError) as error:
        services.need_transition(need=need, to_status=S.IN_EXECUTION, participant=participant)
    assert error.value.code == "staff_only"

    with pytest.raises(services.NeedTransitionError) as error:
        services.need_transition(need=need, to_status=S.REJECTED, participant=participant)
    assert error.value.code == "no_reason"
    need.refresh_from_db()
    assert need.status == S.PRIORITISED

    need = services.need_transition(
        need=need, to_status=S.REJECTED, participant=participant, reason="Ya la atendió el estado"
    )
    assert need.rejection_reason == "Ya la atendió el estado"
    assert list(need.history.values_list("from_status", "to_status")) == [
        (S.IDENTIFIED, S.PRIORITISED),
        (S.PRIORITISED, S.REJECTED),
    ]


@pytest.mark.parametrize(
    ("start", "target", "code"),
    [
        (S.IDENTIFIED, S.DELIVERED, "forbidden_transition"),
        (S.IDENTIFIED, S.IN_EXECUTION, "forbidden_transition"),
        (S.DELIVERED, S.IN_EXECUTION, "forbidden_transition"),
        (S.PRIORITISED, S.REQUISITIONED, "requisition_only"),
        (S.REQUISITIONED, S.APPROVED, "requisition_only"),
        (S.IDENTIFIED, "bogus", "unknown_status"),
    ],
)
def test_staff_cannot_make_forbidden_moves(municipality, start, target, code):
    need = NeedFactory(municipality=municipality, status=start, priority=2)
    with pytest.raises(services.NeedTransitionError) as error:
        services.need_transition(need=need, to_status=target, participant=STAFF)
    assert error.value.code == code
    assert error.value.messages[0]
    need.refresh_from_db()
    assert need.status == start
    assert not NeedStatusChange.objects.filter(need=need).exists()


def test_staff_carries_an_approved_need_to_delivery(municipality):
    need = NeedFactory(municipality=municipality, status=S.APPROVED, priority=1)
    services.need_transition(need=need, to_status=S.IN_EXECUTION, participant=STAFF)
    need = services.need_transition(need=need, to_status=S.DELIVERED, participant=STAFF)
    assert need.status == S.DELIVERED
    with pytest.raises(services.NeedTransitionError):
        services.need_transition(need=need, to_status=S.REJECTED, participant=STAFF, reason="x")


def test_member_cannot_edit_a_need_once_requisitioned(committee):
    _, participant = member_of(committee)
    need = NeedFactory(
        municipality=committee.municipality,
        colonia=committee.communities.get(),
        status=S.REQUISITIONED,
    )
    with pytest.raises(ValidationError):
        services.need_update(need=need, participant=participant, people_affected=999)
    need.refresh_from_db()
    assert need.people_affected == 120


# --- Requisitions --------------------------------------------------------------------------


def test_requisition_bundles_prioritised_needs_and_tracks_the_answer(municipality):
    program = ProgramFactory(institution=InstitutionFactory(municipality=municipality))
    needs = [
        NeedFactory(municipality=municipality, status=S.PRIORITISED, priority=1) for _ in range(2)
    ]
    identified = NeedFactory(municipality=municipality)

    with pytest.raises(ValidationError):
        services.requisition_create(
            municipality=municipality,
            participant=STAFF,
            institution=program.institution,
            program=program,
            needs=[*needs, identified],
            subject="Agua potable",
        )
    assert not Requisition.objects.exists()
    with pytest.raises(PermissionDenied):
        services.requisition_create(
            municipality=municipality,
            participant=Participant(colonia_ids=frozenset({needs[0].colonia_id})),
            institution=program.institution,
            needs=needs,
            subject="Agua potable",
        )

    requisition = services.requisition_create(
        municipality=municipality,
        participant=STAFF,
        institution=program.institution,
        program=program,
        needs=needs,
        subject="Agua potable",
    )
    assert requisition.folio.endswith("-0001")
    services.requisition_submit(requisition=requisition, participant=STAFF)
    assert set(
        Need.objects.filter(pk__in=[n.pk for n in needs]).values_list("status", flat=True)
    ) == {S.REQUISITIONED}
    with pytest.raises(ValidationError):
        services.requisition_answer(
            requisition=requisition,
            participant=STAFF,
            approved=True,
            answered_on=datetime.date(2025, 5, 1),
        )
    requisition = services.requisition_answer(
        requisition=requisition,
        participant=STAFF,
        approved=True,
        approved_amount=Decimal("250000"),
        answered_on=datetime.date(2025, 5, 1),
    )
    assert requisition.status == Requisition.Status.APPROVED
    assert requisition.approved_amount == Decimal("250000")
    assert set(
        Need.objects.filter(pk__in=[n.pk for n in needs]).values_list("status", flat=True)
    ) == {S.APPROVED}


def test_rejected_requisition_returns_needs_to_prioritised(municipality):
    institution = InstitutionFactory(municipality=municipality)
    need = NeedFactory(municipality=municipality, status=S.PRIORITISED, priority=1)
    requisition = services.requisition_create(
        municipality=municipality,
        participant=STAFF,
        institution=institution,
        needs=[need],
        subject="x",
    )
    services.requisition_submit(requisition=requisition, participant=STAFF)
    with pytest.raises(ValidationError):
        services.requisition_submit(requisition=requisition, participant=STAFF)
    services.requisition_answer(
        requisition=requisition,
        participant=STAFF,
        approved=False,
        notes="Sin suficiencia presupuestal",
        answered_on=datetime.date(2025, 5, 1),
    )
    need.refresh_from_db()
    assert need.status == S.PRIORITISED


def test_allocation_must_answer_a_need_of_the_same_community(municipality):
    need = NeedFactory(municipality=municipality)
    other = ColoniaFactory(municipality=municipality)
    with pytest.raises(ValidationError):
        services.allocation_record(
            municipality=municipality,
            participant=STAFF,
            colonia=other,
            item="Láminas",
            quantity=Decimal("10"),
            unit="pieza",
            value=Decimal("3000"),
            delivered_on=datetime.date(2025, 1, 1),
            source="municipal",
            need=need,
        )
