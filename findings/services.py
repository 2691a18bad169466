"""Writes of the findings' workflow: reconciliation runs, the findings' transitions and the
close-the-loop check, the outbox's delivery, digests and escalation, and the in-app inbox.
Views, the admin, commands and tasks all call these. The service status that findings are
checked against is written by ``findings.service_status``, API clients by
``findings.api_clients``."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import role_holders
from audit.services import audit_append, audit_record, audit_snapshot
from core.outbox import claim_pending, enqueue_on_commit
from core.uploads import reencode_if_photo
from guardians.models import Card, Guardian
from territory.models import Directorate, Municipality

from .models import DirectorateSettings, Finding, FindingEvent, Message, Outbox
from .reconcile import ReconcileResult, reconcile

logger = logging.getLogger(__name__)

S = Finding.Status

#: The workflow: which status may follow which.
TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.NOTIFIED, S.ACKNOWLEDGED, S.RESOLVED, S.DISPUTED},
    S.NOTIFIED: {S.ACKNOWLEDGED, S.RESOLVED, S.DISPUTED},
    S.ACKNOWLEDGED: {S.RESOLVED, S.DISPUTED},
    S.RESOLVED: {S.VERIFIED, S.REOPENED},
    S.REOPENED: {S.NOTIFIED, S.ACKNOWLEDGED, S.RESOLVED, S.DISPUTED},
    S.DISPUTED: {S.REOPENED},
    S.VERIFIED: set(),
}
NEEDS_REASON = {S.REOPENED, S.DISPUTED}

MAX_ATTEMPTS = 8
BATCH_SIZE = 100  # outbox rows per delivery run: one e-mail each, a few seconds in all


# --- Reconciliation ----------------------------------------------------------------------------


def findings_reconcile(
    *, municipality: Municipality | None = None, today: datetime.date | None = None
) -> ReconcileResult:
    """The nightly run: every card not yet handled, and every obligation's last period.

    Without a municipality, each one in turn (one transaction and one lock each, the lock the
    single-card runs of that municipality take too)."""
    if municipality is not None:
        return _reconcile_audited(municipality_id=municipality.pk, today=today)
    total = ReconcileResult()
    for municipality_id in Municipality.objects.order_by("pk").values_list("pk", flat=True):
        result = _reconcile_audited(municipality_id=municipality_id, today=today)
        for field, value in vars(result).items():
            setattr(total, field, getattr(total, field) + value)
    return total


def card_reconcile(*, card: Card) -> ReconcileResult:
    """Right after a card is filed: its failing answers only."""
    return _reconcile_audited(municipality_id=card.municipality_id, card_ids=[card.pk])


def _reconcile_audited(*, municipality_id: int, **options: Any) -> ReconcileResult:
    """One run, and one audit entry summing up the findings it raised, in one transaction.

    The run inserts findings set-based in SQL, so the trail records the run (what it raised,
    for which cards), not one entry per finding."""
    with transaction.atomic():
        result = reconcile(municipality_id=municipality_id, **options)
        if result.findings_raised or result.overdue_raised:
            audit_append(
                municipality_id=municipality_id,
                action="create",
                object_type=Finding._meta.label_lower,
                object_repr="reconciliation run",
                changes={
                    "findings_raised": [None, result.findings_raised],
                    "overdue_raised": [None, result.overdue_raised],
                    "cards": [None, options.get("card_ids") or "all"],
                },
                system="findings_reconcile",
            )
    return result


# --- Workflow ----------------------------------------------------------------------------------


def finding_transition(
    *,
    finding: Finding,
    to_status: str,
    user: User | None = None,
    note: str = "",
    attachment: File | None = None,
) -> Finding:
    """Moves a finding to ``to_status`` if the workflow allows it, with a history row.

    Resolving asks the colonia's lead guardian to check (an outbox row, same transaction);
    reopening starts a new cycle.
    """
    note = (note or "").strip()
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if to_status not in TRANSITIONS[locked.status]:
            raise ValidationError(
                _("A finding that is %(current)s cannot become %(target)s.")
                % {
                    "current": locked.get_status_display(),
                    "target": Finding.Status(to_status).label,
                }
            )
        if to_status in NEEDS_REASON and not note:
            raise ValidationError({"note": _("Give the reason.")})
        now = timezone.now()
        previous = locked.status
        before = audit_snapshot(locked)
        locked.status = to_status
        locked.updated_at = now
        fields = ["status", "updated_at"]
        if to_status == S.ACKNOWLEDGED:
            locked.acknowledged_at = now
            fields.append("acknowledged_at")
        elif to_status == S.RESOLVED:
            locked.resolved_at = now
            fields.append("resolved_at")
        elif to_status == S.VERIFIED:
            locked.verified_at = now
            fields.append("verified_at")
        elif to_status == S.REOPENED:
            locked.cycle += 1
            locked.resolved_at = None
            fields += ["cycle", "resolved_at"]
        locked.save(update_fields=fields)
        FindingEvent.objects.create(
            finding=locked,
            from_status=previous,
            to_status=to_status,
            note=note,
            attachment=reencode_if_photo(attachment) if attachment else "",
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        audit_record(
            instance=locked,
            action="update",
            actor=user,
            before=before,
            system="" if user else "findings_workflow",
        )
        if to_status == S.RESOLVED and locked.colonia_id:
            _outbox_add(finding=locked, event=Outbox.Event.CHECK_REQUESTED, now=now)
    finding.refresh_from_db()
    return finding


def finding_acknowledge(*, finding: Finding, user: User | None, note: str = "") -> Finding:
    return finding_transition(finding=finding, to_status=S.ACKNOWLEDGED, user=user, note=note)


def finding_resolve(
    *, finding: Finding, user: User | None, note: str = "", attachment: File | None = None
) -> Finding:
    return finding_transition(
        finding=finding, to_status=S.RESOLVED, user=user, note=note, attachment=attachment
    )


def finding_dispute(*, finding: Finding, user: User | None, reason: str) -> Finding:
    return finding_transition(finding=finding, to_status=S.DISPUTED, user=user, note=reason)


def finding_reopen(*, finding: Finding, user: User | None, reason: str) -> Finding:
    return finding_transition(finding=finding, to_status=S.REOPENED, user=user, note=reason)


def finding_answer(
    *, finding: Finding, user: User | None, note: str, attachment: File | None = None
) -> FindingEvent:
    """An answer or a piece of evidence from the directorate, without a change of status."""
    note = (note or "").strip()
    if not note and not attachment:
        raise ValidationError({"note": _("Write an answer or attach a file.")})
    return FindingEvent.objects.create(
        finding=finding,
        from_status=finding.status,
        to_status=finding.status,
        note=note,
        attachment=reencode_if_photo(attachment) if attachment else "",
        user=user,
    )


def finding_verify_from_card(*, card: Card) -> list[Finding]:
    """Close the loop: a lead guardian's card on the same space and service, filed after a
    finding was resolved, verifies it (the finding's item no longer fails) or reopens it (it
    still fails). Cards by other guardians, or without an answer for the item, change nothing.
    Running it twice changes nothing the second time (the finding is no longer resolved)."""
    guardian = Guardian.private_objects.filter(pk=card.guardian_id).select_related("user").first()
    if guardian is None or not guardian.is_lead or guardian.status != Guardian.Status.ACTIVE:
        return []
    answers = {a.item.code: a for a in card.answers.select_related("item")}
    changed = []
    resolved = Finding.objects.filter(
        status=S.RESOLVED,
        space_id=card.space_id,
        service_type_id=card.service_type_id,
        obligation__isnull=True,
        resolved_at__lte=card.submitted_at,
    )
    for finding in resolved:
        answer = answers.get(finding.item_code)
        if answer is None or card.observed_on < timezone.localdate(finding.resolved_at):
            continue
        if answer.is_failure:
            target = S.REOPENED
            note = _("The lead guardian's follow-up card still reports: %(value)s") % {
                "value": answer.value
            }
        else:
            target = S.VERIFIED
            note = _("The lead guardian's follow-up card confirms it was fixed.")
        try:
            changed.append(
                finding_transition(finding=finding, to_status=target, user=guardian.user, note=note)
            )
        except ValidationError:  # changed meanwhile by someone else
            continue
    return changed


# --- Raised by hand ----------------------------------------------------------------------------

#: The directorate's time to answer an observation of a contract review, like an obligation's.
CONTRACT_REVIEW_RESPONSE_HOURS = 120


@transaction.atomic
def finding_raise_for_contract(
    *,
    contract: Any,
    item_code: str,
    item_text: str,
    note: str,
    user: User | None,
    kind: str = Finding.Kind.CONTRACT_REVIEW,
    severity: int = Finding.Severity.MEDIUM,
) -> Finding:
    """A finding about a contract's documents (an observation of a citizens' contract review):
    for the contract's directorate, through the same workflow and outbox as the reconciled
    ones (a "new finding" row, delivered after commit)."""
    now = timezone.now()
    finding = Finding.objects.create(
        municipality_id=contract.municipality_id,
        kind=kind,
        severity=severity,
        service_type_id=contract.service_type_id,
        directorate_id=contract.directorate_id,
        contract=contract,
        company_id=contract.company_id,
        item_code=item_code[:50],
        item_text=item_text[:300],
        period_start=now.date(),
        period_end=now.date(),
        response_hours=CONTRACT_REVIEW_RESPONSE_HOURS,
        due_at=now + datetime.timedelta(hours=CONTRACT_REVIEW_RESPONSE_HOURS),
        created_at=now,
        updated_at=now,
    )
    FindingEvent.objects.create(
        finding=finding,
        from_status="",
        to_status=finding.status,
        note=note,
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_record(instance=finding, action="create", actor=user)
    _outbox_add(finding=finding, event=Outbox.Event.FINDING_RAISED, now=now)
    return finding


# --- Outbox ------------------------------------------------------------------------------------


def _outbox_add(*, finding: Finding, event: str, now: datetime.datetime | None = None) -> Outbox:
    now = now or timezone.now()
    settings_row = (
        DirectorateSettings.objects.filter(directorate_id=finding.directorate_id).first()
        if finding.directorate_id
        else None
    )
    row, created = Outbox.objects.get_or_create(
        finding=finding,
        event=event,
        cycle=finding.cycle,
        defaults={
            "municipality_id": finding.municipality_id,
            "directorate_id": finding.directorate_id,
            "digest": bool(
                event == Outbox.Event.FINDING_RAISED and settings_row and settings_row.daily_digest
            ),
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    if created:
        # If the broker is down nothing is lost: the row stays pending for the sweeper.
        enqueue_on_commit("findings.tasks.deliver_outbox")
    return row


def _directorate_staff(directorate_id: int) -> list:
    return list(role_holders(Role.DIRECTORATE_STAFF, directorate=directorate_id))


def _lead_guardian_users(colonia_id: int | None) -> list[User]:
    return [
        g.user
        for g in Guardian.private_objects.leads()
        .filter(colonia_id=colonia_id)
        .select_related("user")
    ]


def _recipients(row: Outbox, finding: Finding) -> tuple[list[str], list]:
    """(e-mail addresses, users whose in-app inbox gets the message)."""
    if row.event == Outbox.Event.FINDING_RAISED:
        if finding.directorate is None:
            return [], []
        return [finding.directorate.email], _directorate_staff(finding.directorate.pk)
    if row.event == Outbox.Event.CHECK_REQUESTED:
        users = _lead_guardian_users(finding.colonia_id)
        return [u.email for u in users if u.email], users
    if row.event == Outbox.Event.ESCALATED:
        email = finding.municipality.contact_email
        staff = list(role_holders(Role.MUNICIPAL_STAFF, municipality=finding.municipality_id))
        return ([email] if email else []), staff
    return [], []


def _render(row: Outbox, findings: list[Finding]) -> tuple[str, str]:
    finding = findings[0]
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "row": row,
            "finding": finding,
            "findings": findings,
            "inbox_url": finding.municipality.absolute_url(reverse("findings:list")),
            "finding_url": finding.municipality.absolute_url(finding.get_absolute_url()),
            "card_url": finding.municipality.absolute_url(reverse("guardians:card_new")),
        }
        if len(findings) > 1:
            subject = _("%(count)s new findings for %(directorate)s") % {
                "count": len(findings),
                "directorate": finding.directorate,
            }
            template = "findings/email/digest.txt"
        elif row.event == Outbox.Event.CHECK_REQUESTED:
            subject = _("Please check: %(space)s was reported fixed") % {"space": finding.space}
            template = "findings/email/check_requested.txt"
        elif row.event == Outbox.Event.ESCALATED:
            subject = _("Finding #%(id)s unanswered for %(days)s days") % {
                "id": finding.pk,
                "days": escalation_days(),
            }
            template = "findings/email/escalated.txt"
        else:
            subject = _("New finding #%(id)s: %(kind)s") % {
                "id": finding.pk,
                "kind": finding.get_kind_display(),
            }
            template = "findings/email/raised.txt"
        return str(subject), render_to_string(template, context)


def _deliver(rows: list[Outbox], findings: list[Finding], now: datetime.datetime) -> None:
    """Sends one e-mail for ``rows`` (one row, or a digest's rows) and fills the in-app
    inboxes; the caller marks the rows sent in the same transaction."""
    emails, users = _recipients(rows[0], findings[0])
    subject, body = _render(rows[0], findings)
    if emails:
        send_mail(subject, body, None, emails, fail_silently=False)
    Message.objects.bulk_create(
        [
            Message(user=user, outbox=row, finding=finding, subject=subject, body=body)
            for row, finding in zip(rows, findings, strict=True)
            for user in users
        ],
        ignore_conflicts=True,
    )
    for finding in findings:
        if finding.status == S.OPEN and rows[0].event == Outbox.Event.FINDING_RAISED:
            Finding.objects.filter(pk=finding.pk, status=S.OPEN).update(
                status=S.NOTIFIED, updated_at=now
            )
            FindingEvent.objects.create(
                finding=finding,
                from_status=S.OPEN,
                to_status=S.NOTIFIED,
                note=_("Notified to %(to)s") % {"to": ", ".join(emails) or "-"},
            )


def _mark_failed(row_id: int, error: Exception) -> None:
    with transaction.atomic():
        row = Outbox.objects.select_for_update().get(pk=row_id)
        row.attempts += 1
        row.last_error = str(error)[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = Outbox.Status.FAILED
        # Exponential backoff: 1, 2, 4, 8... minutes.
        row.next_attempt_at = timezone.now() + datetime.timedelta(minutes=2 ** (row.attempts - 1))
        row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def outbox_deliver_due(*, limit: int = BATCH_SIZE) -> int:
    """Delivers pending notifications (not those waiting for a digest), one row per
    transaction: claim it and mark it sent (``core.outbox.claim_pending``), send, commit.
    Two deliveries at once never send a row twice. Returns how many were sent."""
    sent = 0
    for _attempt in range(limit):
        row_id = None
        try:
            with transaction.atomic():
                now = timezone.now()
                claimed = claim_pending(
                    Outbox.objects.due().filter(digest=False).order_by("id"),
                    pending={"status": Outbox.Status.PENDING},
                    mark={
                        "status": Outbox.Status.SENT,
                        "sent_at": now,
                        "attempts": F("attempts") + 1,
                    },
                    limit=1,
                )
                if not claimed:
                    break
                row_id = claimed[0]
                row = Outbox.objects.get(pk=row_id)
                finding = Finding.objects.select_related(
                    "municipality", "directorate", "space", "service_type"
                ).get(pk=row.finding_id)
                _deliver([row], [finding], now)
                sent += 1
        except Exception as error:  # noqa: BLE001 - any failure: back off and retry later
            if row_id is None:
                raise
            logger.exception("Outbox row %s not delivered", row_id)
            _mark_failed(row_id, error)
    return sent


def outbox_send_digests(*, now: datetime.datetime | None = None) -> int:
    """One e-mail per directorate with the findings waiting for its daily digest. Returns how
    many digests were sent."""
    now = now or timezone.now()
    directorate_ids = (
        Outbox.objects.due(now).filter(digest=True).values_list("directorate_id", flat=True)
    )
    sent = 0
    for directorate_id in sorted(set(directorate_ids)):
        with transaction.atomic():
            claimed = claim_pending(
                Outbox.objects.due(now)
                .filter(digest=True, directorate_id=directorate_id)
                .order_by("id"),
                pending={"status": Outbox.Status.PENDING},
                mark={"status": Outbox.Status.SENT, "sent_at": now, "attempts": 1},
            )
            if not claimed:
                continue
            rows = list(Outbox.objects.filter(pk__in=claimed).order_by("id"))
            findings_by_id = Finding.objects.select_related(
                "municipality", "directorate", "space", "service_type"
            ).in_bulk([r.finding_id for r in rows])
            findings = [findings_by_id[r.finding_id] for r in rows]
            _deliver(rows, findings, now)
            sent += 1
    return sent


# --- Escalation --------------------------------------------------------------------------------


def escalation_days() -> int:
    return int(getattr(settings, "FINDINGS_ESCALATION_DAYS", 5))


def findings_escalate(*, now: datetime.datetime | None = None) -> int:
    """Findings nobody acknowledged within ``FINDINGS_ESCALATION_DAYS`` are flagged and the
    Sindicatura is e-mailed (outbox). Set-based and idempotent: a flagged finding is skipped."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=escalation_days())
    with transaction.atomic():
        ids = list(
            Finding.objects.select_for_update(skip_locked=True)
            .filter(status__in=Finding.UNANSWERED, created_at__lt=cutoff, escalated_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Finding.objects.filter(pk__in=ids).update(escalated_at=now)
        Outbox.objects.bulk_create(
            [
                Outbox(
                    municipality_id=f.municipality_id,
                    event=Outbox.Event.ESCALATED,
                    finding_id=f.pk,
                    cycle=f.cycle,
                    directorate_id=f.directorate_id,
                    next_attempt_at=now,
                    created_at=now,
                )
                for f in Finding.objects.filter(pk__in=ids).only(
                    "pk", "municipality_id", "cycle", "directorate_id"
                )
            ],
            ignore_conflicts=True,
        )
        enqueue_on_commit("findings.tasks.deliver_outbox")
    return len(ids)


# --- Settings ----------------------------------------------------------------------------------


def directorate_digest_set(*, directorate: Directorate, daily_digest: bool) -> DirectorateSettings:
    row, _created = DirectorateSettings.objects.update_or_create(
        directorate=directorate, defaults={"daily_digest": daily_digest}
    )
    return row


def message_mark_read(*, user: User, messages: Iterable[Message]) -> int:
    ids = [m.pk for m in messages if m.user_id == user.pk]
    if not ids and messages:
        raise PermissionDenied
    return Message.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())
