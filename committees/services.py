"""Every write of the participation program: views, admin actions and seeders call these."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.models import Colonia, Municipality
from villaguard.photos import reencode_photo, validate_photos

from .models import (
    Agreement,
    Allocation,
    CitizenCommittee,
    CivilEmployee,
    Forum,
    ForumPhoto,
    Institution,
    Need,
    NeedStatusChange,
    Program,
    PublicWork,
    Requisition,
    WorkProgress,
)
from .permissions import Participant

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
    user=None,
    committee: CitizenCommittee | None = None,
    forum: Forum | None = None,
    evidence=None,
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
        need.evidence = evidence
    need.full_clean()
    need.save()
    NeedStatusChange.objects.create(
        need=need, from_status=S.IDENTIFIED, to_status=S.IDENTIFIED, changed_by=need.created_by
    )
    return need


@transaction.atomic
def need_update(*, need: Need, participant: Participant, **fields) -> Need:
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
    allowed = {
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
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"need_update cannot change {sorted(unknown)}")
    for name, value in fields.items():
        if name == "evidence" and not value:
            continue
        setattr(need, name, value)
    need.full_clean()
    need.save()
    return need


def _move(need: Need, to_status: str, user, note: str = "") -> None:
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
    user=None,
    reason: str = "",
    priority: int | None = None,
) -> Need:
    """Moves a need along its workflow, with a clear error when the move is not allowed."""
    need = Need.objects.select_for_update().get(pk=need.pk)
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
    user=None,
    committee: CitizenCommittee | None = None,
    facilitator: CivilEmployee | None = None,
    attendance_women: int = 0,
    attendance_men: int = 0,
    attendance_total: int | None = None,
    summary: str = "",
    minutes=None,
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
        attendance_women=attendance_women,
        attendance_men=attendance_men,
        attendance_total=attendance_total,
        summary=summary.strip(),
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    if minutes:
        forum.minutes = minutes
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


def _next_folio(municipality: Municipality) -> str:
    year = timezone.localdate().year
    prefix = f"REQ-{year}-"
    count = Requisition.objects.filter(municipality=municipality, folio__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


@transaction.atomic
def requisition_create(
    *,
    municipality: Municipality,
    participant: Participant,
    institution: Institution,
    needs: Iterable[Need],
    subject: str,
    program: Program | None = None,
    user=None,
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
    user=None,
    submitted_on: datetime.date | None = None,
) -> Requisition:
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff submit requisitions."))
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.status != Requisition.Status.DRAFT:
        raise ValidationError(_("Only a draft requisition can be submitted."))
    for need in requisition.needs.select_for_update():
        _move(need, S.REQUISITIONED, user, requisition.folio)
        need.save(update_fields=["status", "updated_at"])
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
    user=None,
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
            _move(need, to_status, user, f"{requisition.folio} {notes}".strip())
            need.save(update_fields=["status", "updated_at"])
    requisition.status = Requisition.Status.APPROVED if approved else Requisition.Status.REJECTED
    requisition.answered_on = answered_on
    requisition.approved_amount = approved_amount if approved else None
    requisition.answer_notes = notes.strip()
    requisition.save()
    return requisition


# --- Distribution and works ----------------------------------------------------------------


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
) -> Allocation:
    if not participant.is_staff:
        raise PermissionDenied(_("Only municipal staff record allocations."))
    _check_colonia(municipality, colonia)
    if need is not None and need.colonia_id != colonia.pk:
        raise ValidationError({"need": _("The need is of another community.")})
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
    )
    allocation.full_clean()
    allocation.save()
    return allocation


def work_progress_report(
    *, work: PublicWork, reported_on: datetime.date, percent: int, note: str = ""
) -> WorkProgress:
    last = work.progress.order_by("-reported_on", "-id").first()
    if last is not None and reported_on < last.reported_on:
        raise ValidationError(_("Progress is reported in date order."))
    report = WorkProgress(work=work, reported_on=reported_on, percent=percent, note=note)
    report.full_clean()
    report.save()
    return report
