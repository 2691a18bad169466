"""Every write of the participation program: views, admin actions and seeders call these."""

import datetime
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record, audit_snapshot
from core.photos import reencode_photo, validate_photo, validate_photos
from core.uploads import reencode_if_photo
from territory.models import Colonia, Municipality

from .models import (
    Activity,
    Agreement,
    Allocation,
    Assignment,
    CitizenCommittee,
    CivilAssociation,
    CivilEmployee,
    CommitteeMember,
    Forum,
    ForumPhoto,
    Institution,
    Need,
    NeedStatusChange,
    PlanningCommittee,
    PlanningSession,
    Program,
    PublicWork,
    RegistrationCertificate,
    Requisition,
    RequisitionFolioSequence,
    WorkProgress,
)
from .permissions import Participant
from .validators import validate_evidence

S = Need.Status

# The need workflow. Requisitioned, approved and the way back from a requisition are set by the
# requisition services only, so that every requisitioned need is in a requisition.
TRANSITIONS: dict[str, set[str]] = {
    S.IDENTIFIED: {S.PRIORITISED, S.REJECTED},
    S.PRIORITISED: {S.IDENTIFIED, S.REQUISITIONED, S.IN_EXECUTION, S.REJECTED},
    S.REQUISITIONED: {S.APPROVED, S.PRIORITISED, S.REJECTED},
    S.APPROVED: {S.IN_EXECUTION},
    S.IN_EXECUTION: {S.DELIVERED},
    S.DELIVERED: set(),
    S.REJECTED: {S.IDENTIFIED},
}
REQUISITION_ONLY = {S.REQUISITIONED, S.APPROVED}
# What a committee member or civil employee may do; the rest is for staff.
PARTICIPANT_TRANSITIONS = {
    (S.IDENTIFIED, S.PRIORITISED),
    (S.PRIORITISED, S.IDENTIFIED),
    (S.IDENTIFIED, S.REJECTED),
    (S.PRIORITISED, S.REJECTED),
}
# A need still open for the community to fill in; later its facts are part of a request.
EDITABLE_STATUSES = {S.IDENTIFIED, S.PRIORITISED}
NEED_UPDATABLE_FIELDS = {
    "colonia",
    "category",
    "description",
    "people_affected",
    "estimated_cost",
    "evidence",
    "priority",
    "forum",
    "location",
}


class NeedTransitionError(ValidationError):
    pass


def _check_colonia(municipality: Municipality, colonia: Colonia) -> None:
    if colonia.municipality_id != municipality.pk:
        raise ValidationError(_("The community belongs to another municipality."))


def _require(participant: Participant, colonia_id: int) -> None:
    if not participant.can_edit_colonia(colonia_id):
        raise PermissionDenied(_("You can only act for the communities of your committee."))


# --- Needs ---------------------------------------------------------------------------------


@transaction.atomic
def need_create(
    *,
    municipality: Municipality,
    participant: Participant,
    colonia: Colonia,
    category: str,
    description: str,
    people_affected: int,
    estimated_cost: Decimal,
    user: User | None = None,
    committee: CitizenCommittee | None = None,
    forum: Forum | None = None,
    evidence: File | None = None,
    priority: int | None = None,
) -> Need:
    _check_colonia(municipality, colonia)
    _require(participant, colonia.pk)
    if forum is not None and forum.municipality_id != municipality.pk:
        raise ValidationError(_("The forum belongs to another municipality."))
    if committee is None:
        committee = (
            CitizenCommittee.objects.for_municipality(municipality)
            .filter(communities=colonia, pk__in=participant.committee_ids or [0])
            .first()
        ) or colonia.citizen_committees.order_by("pk").first()
    need = Need(
        municipality=municipality,
        colonia=colonia,
        committee=committee,
        category=category,
        description=description.strip(),
        people_affected=people_affected,
        estimated_cost=estimated_cost,
        forum=forum,
        priority=priority,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if evidence:
        need.evidence = reencode_if_photo(evidence)  # from the portal's form or the admin
    need.full_clean()
    need.save()
    NeedStatusChange.objects.create(
        need=need, from_status=S.IDENTIFIED, to_status=S.IDENTIFIED, changed_by=need.created_by
    )
    audit_record(instance=need, action="create", actor=user)
    return need


@transaction.atomic
def need_update(
    *, need: Need, participant: Participant, actor: User | None = None, **fields: Any
) -> Need:
    """Changes the facts of a need (not its status) while its community may still edit it."""
    _require(participant, need.colonia_id)
    if "colonia" in fields:
        _check_colonia(need.municipality, fields["colonia"])
        _require(participant, fields["colonia"].pk)
    if need.status not in EDITABLE_STATUSES and not participant.is_staff:
        raise ValidationError(
            _("This need is already %(status)s; only staff can change it now.")
            % {"status": need.get_status_display().lower()}
        )
    unknown = set(fields) - NEED_UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"need_update cannot change {sorted(unknown)}")
    before = audit_snapshot(Need.objects.get(pk=need.pk))
    for name, value in fields.items():
        if name == "evidence":
            if not value:
                continue
            value = reencode_if_photo(value)  # from the portal's form or the admin
        setattr(need, name, value)
    need.full_clean()
    need.save()
    audit_record(instance=need, action="update", actor=actor, before=before)
    return need


def _move(need: Need, to_status: str, user: User | None, note: str = "") -> None:
    if to_status not in TRANSITIONS[need.status]:
        raise NeedTransitionError(
            _("A need that is %(from)s cannot become %(to)s.")
            % {
                "from": need.get_status_display().lower(),
                "to": S(to_status).label.lower(),
            },
            code="forbidden_transition",
        )
    NeedStatusChange.objects.create(
        need=need,
        from_status=need.status,
        to_status=to_status,
        note=note,
        changed_by=user if user is not None and user.is_authenticated else None,
    )
    need.status = to_status


@transaction.atomic
def need_transition(
    *,
    need: Need,
    to_status: str,
    participant: Participant,
    user: User | None = None,
    reason: str = "",
    priority: int | None = None,
) -> Need:
    """Moves a need along its workflow, with a clear error when the move is not allowed."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    before = audit_snapshot(need)
    _require(participant, need.colonia_id)
    if to_status not in S.values:
        raise NeedTransitionError(_("Unknown status."), code="unknown_status")
    if to_status in REQUISITION_ONLY:
        raise NeedTransitionError(
            _("A need is requisitioned or approved through a requisition."),
            code="requisition_only",
        )
    if not participant.is_staff and (need.status, to_status) not in PARTICIPANT_TRANSITIONS:
        raise NeedTransitionError(
            _("Only municipal staff can move a need from %(from)s to %(to)s.")
            % {"from": need.get_status_display().lower(), "to": S(to_status).label.lower()},
            code="staff_only",
        )
    if to_status == S.REJECTED and not reason.strip():
        raise NeedTransitionError(_("Give the reason for rejecting the need."), code="no_reason")
    if to_status == S.PRIORITISED:
        if priority is None and need.priority is None:
            raise NeedTransitionError(
                _("Set the priority the committee gave to the need."), code="no_priority"
            )
        if priority is not None:
            if not 1 <= priority <= 99:
                raise NeedTransitionError(
                    _("The priority is a number from 1 to 99."), code="bad_priority"
                )
            need.priority = priority
    _move(need, to_status, user, reason.strip())
    if to_status == S.REJECTED:
        need.rejection_reason = reason.strip()
    elif to_status == S.IDENTIFIED:
        need.rejection_reason = ""
    need.save()
    audit_record(instance=need, action="update", actor=user, before=before)
    return need


# --- Forums --------------------------------------------------------------------------------


@transaction.atomic
def forum_record(
    *,
    municipality: Municipality,
    participant: Participant,
    title: str,
    kind: str,
    starts_at: datetime.datetime,
    place: str,
    colonia: Colonia,
    agenda: str,
    user: User | None = None,
    committee: CitizenCommittee | None = None,
    facilitator: CivilEmployee | None = None,
    attendance_women: int = 0,
    attendance_men: int = 0,
    attendance_total: int | None = None,
    capacity: int | None = None,
    summary: str = "",
    minutes: File | None = None,
    photos: Sequence = (),
    agreements: Iterable[dict] = (),
) -> Forum:
    """Schedules a coming forum or records one held, with its photos and agreements."""
    _check_colonia(municipality, colonia)
    _require(participant, colonia.pk)
    if facilitator is not None and facilitator.association.municipality_id != municipality.pk:
        raise ValidationError(_("The facilitator works for another municipality."))
    if committee is not None and committee.municipality_id != municipality.pk:
        raise ValidationError(_("The committee belongs to another municipality."))
    if attendance_total is None:
        attendance_total = attendance_women + attendance_men
    if attendance_total < attendance_women + attendance_men:
        raise ValidationError(
            {"attendance_total": _("The total cannot be less than women plus men.")}
        )
    if capacity is not None and attendance_total > capacity:
        raise ValidationError(
            {
                "attendance_total": _(
                    "%(total)s people attended but the place holds %(capacity)s: correct the "
                    "attendance or the capacity."
                )
                % {"total": attendance_total, "capacity": capacity}
            }
        )
    validate_photos(list(photos))
    forum = Forum(
        municipality=municipality,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        colonia=colonia,
        committee=committee,
        facilitator=facilitator,
        agenda=agenda.strip(),
        capacity=capacity,
        attendance_women=attendance_women,
        attendance_men=attendance_men,
        attendance_total=attendance_total,
        summary=summary.strip(),
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    if minutes:
        forum.minutes = minutes
    if starts_at <= timezone.now() and (attendance_total or forum.summary or minutes):
        forum.closed_at = timezone.now()  # recorded once held: nothing left to close
    forum.full_clean()
    forum.save()
    for upload in photos:
        ForumPhoto.objects.create(forum=forum, image=reencode_photo(upload))
    for agreement in agreements:
        Agreement.objects.create(
            forum=forum,
            description=agreement["description"].strip(),
            owner=agreement["owner"].strip(),
            due_on=agreement.get("due_on"),
        )
    return forum


# --- Requisitions --------------------------------------------------------------------------


def _highest_folio_number(municipality: Municipality, prefix: str) -> int:
    """The highest number among the municipality's folios that begin with ``prefix``."""
    folios = Requisition.objects.filter(
        municipality=municipality, folio__startswith=prefix
    ).values_list("folio", flat=True)
    numbers = (folio.removeprefix(prefix) for folio in folios)
    return max((int(number) for number in numbers if number.isdigit()), default=0)


def _next_folio(municipality: Municipality) -> str:
    """The next folio of the municipality's year, ``REQ-<year>-<number>``.

    The year's sequence row stays locked (``SELECT … FOR UPDATE``) until the caller's
    transaction ends, so a second requisition created at the same time waits and takes the
    next number. The number is never given again, even after a deletion, and it continues
    from the highest folio already there (requisitions numbered before the sequence, the
    demo data). Must run inside the transaction that inserts the requisition.
    """
    year = timezone.localdate().year
    prefix = f"REQ-{year}-"
    sequence, _created = RequisitionFolioSequence.objects.select_for_update().get_or_create(
        municipality=municipality, year=year
    )
    sequence.last_number = max(sequence.last_number, _highest_folio_number(municipality, prefix))
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}{sequence.last_number:04d}"


@transaction.atomic
def requisition_create(
    *,
    municipality: Municipality,
    participant: Participant,
    institution: Institution,
    needs: Iterable[Need],
    subject: str,
    program: Program | None = None,
    user: User | None = None,
) -> Requisition:
    """Bundles prioritised needs into a draft request for assistance to an institution."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff prepare requisitions."))
    if institution.municipality_id != municipality.pk:
        raise ValidationError(_("The institution belongs to another municipality."))
    if program is not None and program.institution_id != institution.pk:
        raise ValidationError(_("The program belongs to another institution."))
    needs = list(needs)
    if not needs:
        raise ValidationError(_("Choose at least one need."))
    wrong = [n for n in needs if n.municipality_id != municipality.pk or n.status != S.PRIORITISED]
    if wrong:
        raise ValidationError(
            _("Only prioritised needs can be requisitioned; not: %(needs)s")
            % {"needs": "; ".join(str(n) for n in wrong)}
        )
    requisition = Requisition.objects.create(
        municipality=municipality,
        folio=_next_folio(municipality),
        institution=institution,
        program=program,
        subject=subject.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    requisition.needs.set(needs)
    return requisition


@transaction.atomic
def requisition_submit(
    *,
    requisition: Requisition,
    participant: Participant,
    user: User | None = None,
    submitted_on: datetime.date | None = None,
) -> Requisition:
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff submit requisitions."))
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.status != Requisition.Status.DRAFT:
        raise ValidationError(_("Only a draft requisition can be submitted."))
    for need in requisition.needs.select_for_update():
        before = audit_snapshot(need)
        _move(need, S.REQUISITIONED, user, requisition.folio)
        need.save(update_fields=["status", "updated_at"])
        audit_record(instance=need, action="update", actor=user, before=before)
    requisition.status = Requisition.Status.SUBMITTED
    requisition.submitted_on = submitted_on or timezone.localdate()
    requisition.save()
    return requisition


@transaction.atomic
def requisition_answer(
    *,
    requisition: Requisition,
    participant: Participant,
    approved: bool,
    answered_on: datetime.date,
    approved_amount: Decimal | None = None,
    notes: str = "",
    user: User | None = None,
) -> Requisition:
    """Records the institution's answer: approved needs move on; rejected ones go back to
    prioritised so they can be requested elsewhere."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff record answers."))
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.status != Requisition.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted requisition can be answered."))
    if approved and (approved_amount is None or approved_amount <= 0):
        raise ValidationError({"approved_amount": _("Give the approved amount.")})
    if not approved and not notes.strip():
        raise ValidationError({"notes": _("Give the reason the institution gave.")})
    to_status = S.APPROVED if approved else S.PRIORITISED
    for need in requisition.needs.select_for_update():
        if need.status == S.REQUISITIONED:
            before = audit_snapshot(need)
            _move(need, to_status, user, f"{requisition.folio} {notes}".strip())
            need.save(update_fields=["status", "updated_at"])
            audit_record(instance=need, action="update", actor=user, before=before)
    requisition.status = Requisition.Status.APPROVED if approved else Requisition.Status.REJECTED
    requisition.answered_on = answered_on
    requisition.approved_amount = approved_amount if approved else None
    requisition.answer_notes = notes.strip()
    requisition.save()
    return requisition


# --- Civil employees: assignments and their activity log -----------------------------------


def _assignment_overlaps(
    *,
    employee: CivilEmployee,
    colonia: Colonia,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    exclude_pk: int | None = None,
) -> bool:
    overlapping = Assignment.objects.filter(employee=employee, colonia=colonia).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    return overlapping.exists()


def assignment_check(
    *,
    employee: CivilEmployee,
    colonia: Colonia,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    exclude_pk: int | None = None,
) -> None:
    """The rules of an assignment, raised as a ValidationError keyed by field."""
    if colonia.municipality_id != employee.association.municipality_id:
        raise ValidationError(
            {"colonia": _("The community belongs to another municipality than the employee.")}
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The assignment cannot end before it starts.")})
    if _assignment_overlaps(
        employee=employee,
        colonia=colonia,
        starts_on=starts_on,
        ends_on=ends_on,
        exclude_pk=exclude_pk,
    ):
        raise ValidationError(
            {"colonia": _("The employee is already assigned to this community in those dates.")}
        )


@transaction.atomic
def assignment_create(
    *,
    participant: Participant,
    employee: CivilEmployee,
    colonia: Colonia,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Assignment:
    """Assigns a civil employee to a community; only staff of the employee's municipality."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff assign civil employees."))
    # Serialises assignments of one employee so two requests cannot both pass the overlap check.
    employee = (
        CivilEmployee.objects.select_for_update().select_related("association").get(pk=employee.pk)
    )
    assignment_check(employee=employee, colonia=colonia, starts_on=starts_on, ends_on=ends_on)
    assignment = Assignment(
        employee=employee, colonia=colonia, starts_on=starts_on, ends_on=ends_on
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(
    *, participant: Participant, assignment: Assignment, ends_on: datetime.date
) -> Assignment:
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff end assignments."))
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ValidationError(_("The assignment has already ended."))
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The assignment cannot end before it starts.")})
    assignment.ends_on = ends_on
    assignment.save(update_fields=["ends_on"])
    return assignment


def activity_check(
    *, employee: CivilEmployee, colonia: Colonia | None, done_on: datetime.date
) -> None:
    """An employee logs work only for a community they were assigned to on that day."""
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date of an activity cannot be in the future.")})
    if colonia is None:
        raise ValidationError({"colonia": _("Choose the community where the work was done.")})
    assigned = (
        Assignment.objects.filter(employee=employee, colonia=colonia, starts_on__lte=done_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=done_on))
        .exists()
    )
    if not assigned:
        raise ValidationError(
            {"colonia": _("You were not assigned to this community on that date.")}
        )


@transaction.atomic
def activity_record(
    *,
    employee: CivilEmployee,
    colonia: Colonia,
    done_on: datetime.date,
    kind: str,
    description: str,
    people_reached: int = 0,
) -> Activity:
    """A civil employee logs a forum, visit, meeting or campaign in a community of theirs."""
    activity_check(employee=employee, colonia=colonia, done_on=done_on)
    activity = Activity(
        employee=employee,
        colonia=colonia,
        done_on=done_on,
        kind=kind,
        description=description.strip(),
        people_reached=people_reached,
        recorded_at=timezone.now(),
    )
    activity.full_clean()
    activity.save()
    return activity


# --- Distribution and works ----------------------------------------------------------------

# What an allocation does to the need it answers. A need is answered once its committee
# prioritised it (municipal resources, TRANSITIONS allows prioritised → in execution) or an
# institution approved it; the first allocation puts it in execution, and the one staff mark as
# completing it makes it delivered. Identified, requisitioned (waiting for an answer), rejected
# and delivered needs take no allocation, so the equity page's "met" count stays truthful.
ALLOCATABLE_STATUSES = {S.PRIORITISED, S.APPROVED, S.IN_EXECUTION}


def allocation_check(
    *,
    municipality: Municipality,
    colonia: Colonia,
    quantity: Decimal,
    value: Decimal,
    delivered_on: datetime.date,
    program: Program | None = None,
    need: Need | None = None,
    committee: CitizenCommittee | None = None,
    work: PublicWork | None = None,
) -> None:
    """The rules of an allocation, raised as a ValidationError keyed by field."""
    errors: dict[str, str | Promise] = {}
    if colonia.municipality_id != municipality.pk:
        errors["colonia"] = _("The community belongs to another municipality.")
    if quantity is not None and quantity <= 0:
        errors["quantity"] = _("The quantity must be more than zero.")
    if value is not None and value < 0:
        errors["value"] = _("The value cannot be negative.")
    if delivered_on is not None and delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The delivery date cannot be in the future.")
    if program is not None and program.institution.municipality_id != municipality.pk:
        errors["program"] = _("The program belongs to another municipality.")
    if work is not None and work.municipality_id != municipality.pk:
        errors["work"] = _("The public work belongs to another municipality.")
    if need is not None:
        if need.municipality_id != municipality.pk:
            errors["need"] = _("The need belongs to another municipality.")
        elif need.colonia_id != colonia.pk:
            errors["need"] = _("The need is of another community.")
        elif need.status not in ALLOCATABLE_STATUSES:
            errors["need"] = _(
                "The need is %(status)s; allocations answer needs that are prioritised, "
                "approved or in execution."
            ) % {"status": need.get_status_display().lower()}
    if committee is not None:
        if committee.municipality_id != municipality.pk:
            errors["committee"] = _("The committee belongs to another municipality.")
        elif not committee.communities.filter(pk=colonia.pk).exists():
            errors["committee"] = _("The committee does not represent this community.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def allocation_record(
    *,
    municipality: Municipality,
    participant: Participant,
    colonia: Colonia,
    item: str,
    quantity: Decimal,
    unit: str,
    value: Decimal,
    delivered_on: datetime.date,
    source: str,
    program: Program | None = None,
    need: Need | None = None,
    committee: CitizenCommittee | None = None,
    signed_by: str = "",
    work: PublicWork | None = None,
    completes_need: bool = False,
    user: User | None = None,
) -> Allocation:
    """Records a delivery to a community and moves the need it answers along its workflow:
    a prioritised or approved need goes in execution; with ``completes_need`` it is delivered."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff record allocations."))
    if need is not None:
        need = Need.objects.select_for_update().get(pk=need.pk)
        need_before = audit_snapshot(need)
    allocation_check(
        municipality=municipality,
        colonia=colonia,
        quantity=quantity,
        value=value,
        delivered_on=delivered_on,
        program=program,
        need=need,
        committee=committee,
        work=work,
    )
    if completes_need and need is None:
        raise ValidationError({"completes_need": _("Choose the need the delivery completes.")})
    if committee is None and need is not None:
        committee = need.committee
    allocation = Allocation(
        municipality=municipality,
        colonia=colonia,
        item=item.strip(),
        quantity=quantity,
        unit=unit.strip(),
        value=value,
        delivered_on=delivered_on,
        source=source,
        program=program,
        need=need,
        committee=committee,
        signed_by=signed_by.strip(),
        work=work,
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    allocation.full_clean()
    allocation.save()
    # Who recorded it is the entry's actor; the public history never shows it.
    audit_record(instance=allocation, action="create", actor=user, exclude={"recorded_by"})
    if need is not None:
        note = _("Allocation: %(quantity)s %(unit)s of %(item)s") % {
            "quantity": f"{allocation.quantity.normalize():f}",
            "unit": allocation.unit,
            "item": allocation.item,
        }
        if need.status != S.IN_EXECUTION:
            _move(need, S.IN_EXECUTION, user, note)
        if completes_need:
            _move(need, S.DELIVERED, user, note)
        need.save(update_fields=["status", "updated_at"])
        audit_record(instance=need, action="update", actor=user, before=need_before)
    return allocation


def work_reporter(
    *, work: PublicWork, participant: Participant
) -> tuple[CitizenCommittee | None, CivilAssociation | None]:
    """Who reports for a work: staff (``(None, None)``), or a current member of its executing
    committee, or a civil employee of its executing civil association. Anyone else is refused."""
    if participant.is_staff:
        return None, None
    if work.executing_committee_id is not None and (
        work.executing_committee_id in participant.committee_ids
    ):
        return work.executing_committee, None
    if work.executing_association_id is not None and participant.civil_employee_id is not None:
        employee = CivilEmployee.objects.filter(pk=participant.civil_employee_id).first()
        if employee is not None and employee.association_id == work.executing_association_id:
            return None, work.executing_association
    raise PermissionDenied(
        _("Only municipal staff and the committee or association executing the work report it.")
    )


@transaction.atomic
def work_progress_report(
    *,
    work: PublicWork,
    participant: Participant,
    reported_on: datetime.date,
    percent: int,
    note: str = "",
    photo: File | None = None,
    user: User | None = None,
) -> WorkProgress:
    """Adds a row to a work's progress history. Reports come in date order, never from the
    future, and progress never goes back: the public history is a record, not a draft. Staff
    report on any work of the municipality; the executing committee or civil association on
    its own works, and the public page says who reported."""
    committee, association = work_reporter(work=work, participant=participant)
    # Serialises reports of one work so two at once cannot both pass the order checks.
    work = PublicWork.objects.select_for_update().get(pk=work.pk)
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The date cannot be in the future.")})
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("The progress is a percentage from 0 to 100.")})
    last = work.progress.order_by("-reported_on", "-id").first()
    if last is not None and reported_on < last.reported_on:
        raise ValidationError(
            {
                "reported_on": _(
                    "Progress is reported in date order; the last report is of %(date)s."
                )
                % {"date": last.reported_on.isoformat()}
            }
        )
    if last is not None and percent < last.percent:
        raise ValidationError(
            {
                "percent": _("The progress cannot go below the last report (%(percent)s %%).")
                % {"percent": last.percent}
            }
        )
    report = WorkProgress(
        work=work,
        reported_on=reported_on,
        percent=percent,
        note=note.strip(),
        recorded_by=user if user is not None and user.is_authenticated else None,
        reported_by_committee=committee,
        reported_by_association=association,
    )
    if photo:
        validate_photo(photo)
        report.photo = reencode_photo(photo)
    report.full_clean()
    report.save()
    return report


# --- Closing a forum, COPLADEM sessions and their agreements --------------------------------


def _agreement_errors(agreements: Sequence[dict]) -> list[str | Promise]:
    """Every agreement names what was agreed and who answers for it."""
    errors: list[str | Promise] = []
    for number, agreement in enumerate(agreements, start=1):
        if not (agreement.get("description") or "").strip():
            errors.append(_("Agreement %(number)s: write what was agreed.") % {"number": number})
        if not (agreement.get("owner") or "").strip():
            errors.append(
                _("Agreement %(number)s has no responsible person: say who answers for it.")
                % {"number": number}
            )
    return errors


def _create_agreements(
    agreements: Sequence[dict],
    *,
    forum: Forum | None = None,
    session: PlanningSession | None = None,
) -> None:
    Agreement.objects.bulk_create(
        [
            Agreement(
                forum=forum,
                session=session,
                description=agreement["description"].strip(),
                owner=agreement["owner"].strip(),
                due_on=agreement.get("due_on"),
            )
            for agreement in agreements
        ]
    )


@transaction.atomic
def forum_close(
    *,
    forum: Forum,
    participant: Participant,
    attendance_women: int,
    attendance_men: int,
    attendance_total: int | None = None,
    capacity: int | None = None,
    summary: str = "",
    minutes: File | None = None,
    agreements: Sequence[dict] = (),
    user: User | None = None,
) -> Forum:
    """Closes a forum that was held: its attendance (never over the capacity of the place),
    its minutes (text, a PDF or both) and its agreements, all or nothing."""
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if not participant.can_edit_forum(forum):
        raise PermissionDenied(_("You can only close the forums of your communities."))
    if forum.closed_at is not None:
        raise ValidationError(_("This forum was already closed."), code="closed")
    if forum.starts_at > timezone.now():
        raise ValidationError(
            _("A forum is closed once it has been held; this one is still to come."),
            code="future",
        )
    before = audit_snapshot(forum)
    errors: dict[str, list[str | Promise]] = {}
    counted = attendance_women + attendance_men
    total = counted if attendance_total is None else attendance_total
    if capacity is None:
        capacity = forum.capacity
    if total < counted:
        errors["attendance_total"] = [_("The total cannot be less than women plus men.")]
    elif capacity is not None and total > capacity:
        errors["attendance_total"] = [
            _(
                "%(total)s people attended but the place holds %(capacity)s: correct the "
                "attendance or the capacity."
            )
            % {"total": total, "capacity": capacity}
        ]
    if not summary.strip() and not minutes:
        errors["summary"] = [_("Write the minutes or attach them as a PDF.")]
    agreement_errors = _agreement_errors(agreements)
    if agreement_errors:
        errors["__all__"] = agreement_errors
    if errors:
        raise ValidationError(errors)
    forum.attendance_women = attendance_women
    forum.attendance_men = attendance_men
    forum.attendance_total = total
    forum.capacity = capacity
    forum.summary = summary.strip()
    if minutes:
        forum.minutes = minutes
    forum.closed_at = timezone.now()
    if forum.recorded_by_id is None and user is not None and user.is_authenticated:
        forum.recorded_by = user
    forum.full_clean()
    forum.save()
    _create_agreements(agreements, forum=forum)
    audit_record(instance=forum, action="update", actor=user, before=before)
    return forum


@transaction.atomic
def planning_session_record(
    *,
    municipality: Municipality,
    participant: Participant,
    body: PlanningCommittee,
    held_on: datetime.date,
    agenda: str,
    place: str = "",
    attendance: int = 0,
    minutes_text: str = "",
    minutes: File | None = None,
    agreements: Sequence[dict] = (),
    user: User | None = None,
) -> PlanningSession:
    """Records a COPLADEM session that was held, with its minutes and agreements."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff record COPLADEM sessions."))
    errors: dict[str, list[str | Promise]] = {}
    if body.municipality_id != municipality.pk:
        errors["body"] = [_("The committee belongs to another municipality.")]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("A session is recorded once it has been held.")]
    if not minutes_text.strip() and not minutes:
        errors["minutes_text"] = [_("Write the minutes or attach them as a PDF.")]
    agreement_errors = _agreement_errors(agreements)
    if agreement_errors:
        errors["__all__"] = agreement_errors
    if errors:
        raise ValidationError(errors)
    session = PlanningSession(
        body=body,
        held_on=held_on,
        place=place.strip(),
        agenda=agenda.strip(),
        attendance=attendance,
        minutes_text=minutes_text.strip(),
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    if minutes:
        session.minutes = minutes
    session.full_clean()
    session.save()
    _create_agreements(agreements, session=session)
    audit_record(
        instance=session,
        action="create",
        actor=user,
        exclude={"recorded_by"},
        municipality_id=municipality.pk,
    )
    return session


@transaction.atomic
def agreement_mark_done(
    *,
    agreement: Agreement,
    participant: Participant,
    note: str,
    evidence: File | None,
    done_on: datetime.date | None = None,
    user: User | None = None,
) -> Agreement:
    """Marks an agreement done, with the evidence (a document or photo) and a note."""
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("forum", "session__body")
        .get(pk=agreement.pk)
    )
    if agreement.forum is not None:
        allowed = participant.can_edit_forum(agreement.forum)
        municipality_id = agreement.forum.municipality_id
    elif agreement.session is not None:
        allowed = participant.is_staff
        municipality_id = agreement.session.body.municipality_id
    else:  # the agreement_belongs_to_session_or_forum constraint rules this out
        raise ValueError(f"Agreement {agreement.pk} belongs to no session or forum.")
    if not allowed:
        raise PermissionDenied(_("You cannot follow this agreement."))
    if agreement.done:
        raise ValidationError(_("This agreement is already done."), code="done")
    done_on = done_on or timezone.localdate()
    errors: dict[str, list[str | Promise]] = {}
    if done_on > timezone.localdate():
        errors["done_on"] = [_("The date cannot be in the future.")]
    if not note.strip():
        errors["note"] = [_("Say how the agreement was fulfilled.")]
    if not evidence:
        errors["evidence"] = [_("Attach the evidence: a photo or a PDF document.")]
    if errors:
        raise ValidationError(errors)
    before = audit_snapshot(agreement, exclude={"done_by"})
    validate_evidence(evidence)
    agreement.done_evidence = reencode_if_photo(evidence)
    agreement.done = True
    agreement.done_on = done_on
    agreement.done_note = note.strip()
    agreement.done_by = user if user is not None and user.is_authenticated else None
    agreement.full_clean()
    agreement.save()
    audit_record(
        instance=agreement,
        action="update",
        actor=user,
        before=before,
        exclude={"done_by"},
        municipality_id=municipality_id,
    )
    return agreement


# --- Registration of a Committee of Citizen Participation -----------------------------------

SINGLE_POSITIONS = {
    CommitteeMember.Position.PRESIDENT,
    CommitteeMember.Position.SECRETARY,
    CommitteeMember.Position.TREASURER,
}


@transaction.atomic
def committee_register(
    *,
    committee: CitizenCommittee,
    participant: Participant,
    assembly_date: datetime.date,
    assembly_place: str,
    assembly_attendance: int,
    officers: Sequence[dict],
    registration_number: str,
    registered_on: datetime.date,
    user: User | None = None,
) -> CitizenCommittee:
    """Records the constituent assembly, the officers it elected and the registration; the
    committee becomes active. An officer elected to a single position (president, secretary,
    treasurer) replaces its current holder from the day of the assembly."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff register committees."))
    committee = CitizenCommittee.objects.select_for_update().get(pk=committee.pk)
    before = audit_snapshot(committee)
    today = timezone.localdate()
    registration_number = registration_number.strip()
    errors: dict[str, list[str | Promise]] = {}
    if assembly_date > today:
        errors["assembly_date"] = [_("The assembly cannot be in the future.")]
    if registered_on > today:
        errors["registered_on"] = [_("The registration cannot be in the future.")]
    elif registered_on < assembly_date:
        errors["registered_on"] = [_("The registration cannot come before the assembly.")]
    if not registration_number:
        errors["registration_number"] = [_("Give the registration number.")]
    elif (
        CitizenCommittee.objects.filter(
            municipality_id=committee.municipality_id, registration_number=registration_number
        )
        .exclude(pk=committee.pk)
        .exists()
    ):
        errors["registration_number"] = [
            _("Another committee of the municipality has this registration number.")
        ]
    officers = [o for o in officers if (o.get("full_name") or "").strip()]
    positions = [o["position"] for o in officers]
    repeated = sorted({p for p in positions if p in SINGLE_POSITIONS and positions.count(p) > 1})
    officer_errors: list[str | Promise] = []
    for position in repeated:
        officer_errors.append(
            _("Only one person can be %(position)s.")
            % {"position": CommitteeMember.Position(position).label.lower()}
        )
    has_president = CommitteeMember.Position.PRESIDENT in positions or (
        committee.members.filter(
            ceased_on__isnull=True, position=CommitteeMember.Position.PRESIDENT
        ).exists()
    )
    if not has_president:
        officer_errors.append(_("The assembly must elect a president."))
    if officer_errors:
        errors["__all__"] = officer_errors
    if errors:
        raise ValidationError(errors)
    for officer in officers:
        if officer["position"] in SINGLE_POSITIONS:
            committee.members.filter(
                ceased_on__isnull=True,
                position=officer["position"],
                designated_on__lte=assembly_date,
            ).update(ceased_on=assembly_date)
    CommitteeMember.objects.bulk_create(
        [
            CommitteeMember(
                committee=committee,
                full_name=officer["full_name"].strip(),
                position=officer["position"],
                designated_on=assembly_date,
                chosen_by=CommitteeMember.ChosenBy.ASSEMBLY,
            )
            for officer in officers
        ]
    )
    committee.assembly_date = assembly_date
    committee.assembly_place = assembly_place.strip()
    committee.assembly_attendance = assembly_attendance
    committee.registration_number = registration_number
    committee.registered_on = registered_on
    committee.status = CitizenCommittee.Status.ACTIVE
    committee.full_clean()
    committee.save()
    audit_record(instance=committee, action="update", actor=user, before=before)
    return committee


@transaction.atomic
def certificate_issue(
    *, committee: CitizenCommittee, participant: Participant, user: User | None = None
) -> RegistrationCertificate:
    """Issues the registration certificate of a registered committee, with a new random
    verification code; an earlier certificate of the committee is revoked by the new one."""
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff issue certificates."))
    committee = CitizenCommittee.objects.select_for_update().get(pk=committee.pk)
    if not committee.is_registered or committee.registered_on is None:
        raise ValidationError(
            _(
                "%(committee)s is not registered: record its assembly, officers and "
                "registration number before issuing a certificate."
            )
            % {"committee": committee.name},
            code="unregistered",
        )
    now = timezone.now()
    RegistrationCertificate.objects.filter(committee=committee, revoked_at__isnull=True).update(
        revoked_at=now
    )
    certificate = RegistrationCertificate.objects.create(
        municipality_id=committee.municipality_id,
        committee=committee,
        code=secrets.token_urlsafe(18),
        registration_number=committee.registration_number,
        registered_on=committee.registered_on,
        issued_by=user if user is not None and user.is_authenticated else None,
    )
    audit_record(instance=certificate, action="create", actor=user, exclude={"issued_by"})
    return certificate
