"""Findings in the staff workspace (``FindingsConfig.workspace_sections``): open, overdue and
escalated findings (by directorate for the Sindicatura, its own for a directorate), the known
issues left open past their term, and every login's messages."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_staff_role
from workspace.registry import Link, Queue, Section
from workspace.sections import admin_url, opens_admin

from .constants import AWAITING_FIX, UNANSWERED
from .models import Finding, KnownIssue, Message

# A known issue (an open work order) suppresses the findings of its place; left open longer
# than this many days it is "past its date" and the Sindicatura should ask about it.
DEFAULT_KNOWN_ISSUE_DAYS = 30


def known_issue_days() -> int:
    return getattr(settings, "FINDINGS_KNOWN_ISSUE_DAYS", DEFAULT_KNOWN_ISSUE_DAYS)


def finding_figures(*, municipality, directorate_id=None, now=None) -> list[dict]:
    """Per directorate (one grouped query), of the findings still waiting for a fix: how
    many, how many wait for an answer, are overdue or were escalated, and the oldest of each."""
    now = now or timezone.now()
    findings = Finding.objects.for_municipality(municipality).filter(status__in=AWAITING_FIX)
    if directorate_id is not None:
        findings = findings.filter(directorate_id=directorate_id)
    unanswered = Q(status__in=UNANSWERED)
    overdue = Q(due_at__lt=now)
    escalated = Q(escalated_at__isnull=False)
    # Every column read is in ``finding_awaiting_fix_idx`` (the id is not: COUNT(*) and
    # COUNT(status), never null, count the rows), so an index-only scan answers.
    return list(
        findings.values("directorate_id", "directorate__name")
        .order_by("directorate__name")
        .annotate(
            waiting=Count("*"),
            waiting_oldest=Min("created_at"),
            open=Count("status", filter=unanswered),
            open_oldest=Min("created_at", filter=unanswered),
            overdue=Count("status", filter=overdue),
            overdue_oldest=Min("due_at", filter=overdue),
            escalated=Count("status", filter=escalated),
            escalated_oldest=Min("created_at", filter=escalated),
        )
    )


def _oldest(rows, key):
    dates = [row[key] for row in rows if row[key] is not None]
    return min(dates) if dates else None


def finding_queues(*, municipality, directorate_id=None, by_directorate=False) -> list[Queue]:
    rows = finding_figures(municipality=municipality, directorate_id=directorate_id)
    base = reverse("findings:list")
    queues = [
        Queue(
            key="findings_open",
            label=_("Findings waiting for an answer"),
            count=sum(row["open"] for row in rows),
            oldest=_oldest(rows, "open_oldest"),
            url=f"{base}?awaiting=answer&o=created",
        ),
        Queue(
            key="findings_overdue",
            label=_("Findings past their due date"),
            count=sum(row["overdue"] for row in rows),
            oldest=_oldest(rows, "overdue_oldest"),
            url=f"{base}?overdue=true&o=due",
        ),
        Queue(
            key="findings_escalated",
            label=_("Findings escalated to the Sindicatura"),
            count=sum(row["escalated"] for row in rows),
            oldest=_oldest(rows, "escalated_oldest"),
            url=f"{base}?awaiting=fix&escalated=true&o=created",
            help_text=_("Not answered in time; still waiting for a fix."),
        ),
    ]
    if by_directorate:
        queues += [
            Queue(
                key=f"findings_directorate_{row['directorate_id'] or 0}",
                label=_("%(directorate)s: waiting for a fix")
                % {"directorate": row["directorate__name"] or _("No directorate")},
                count=row["waiting"],
                oldest=row["waiting_oldest"],
                overdue=row["overdue"],
                url=(
                    f"{base}?awaiting=fix&directorate={row['directorate_id']}&o=created"
                    if row["directorate_id"]
                    else f"{base}?awaiting=fix&o=created"
                ),
            )
            for row in rows
        ]
    return queues


def stale_known_issues_queue(*, municipality, today=None) -> Queue:
    """Open known issues older than their term, in the admin oldest first."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=known_issue_days())
    return Queue.counted(
        key="known_issues_stale",
        label=_("Known issues past their date"),
        queryset=KnownIssue.objects.filter(
            municipality=municipality, status=KnownIssue.Status.OPEN, since__lt=cutoff
        ),
        count=Count("pk"),
        oldest=Min("since"),
        # Column 1 of the admin's list is "since": ascending, the oldest first.
        url=admin_url(
            "findings_knownissue_changelist",
            f"status__exact=open&since__lt={cutoff.isoformat()}&o=1",
        ),
        help_text=_("Work orders open for more than %(days)s days.") % {"days": known_issue_days()},
    )


def findings_section(*, request) -> Section | None:
    """Directorate staff answer their directorate's findings; the Sindicatura follows every
    directorate's, and the known issues left open."""
    municipality = request.municipality
    role = session_staff_role(request)
    if municipality is None or role is None:
        return None
    is_staff = role in STAFF_ROLES
    directorate_id = request.user.directorate_id if role == Role.DIRECTORATE_STAFF else None
    queues = finding_queues(
        municipality=municipality, directorate_id=directorate_id, by_directorate=is_staff
    )
    if is_staff and opens_admin(request):
        queues.append(stale_known_issues_queue(municipality=municipality))
    return Section(
        key="findings",
        title=_("Findings") if is_staff else _("My directorate's findings"),
        queues=queues,
        links=[
            Link(_("Findings inbox"), reverse("findings:list")),
            Link(_("Fix rate"), reverse("findings:fix_rate"), _("The public figures.")),
        ],
        order=25,
    )


def messages_section(*, request) -> Section | None:
    """Every login's messages about findings (a lead guardian asked to check a fix, a
    directorate told of a new finding): the unread ones first."""
    user = request.user
    if not user.is_authenticated:
        return None
    return Section(
        key="messages",
        title=_("Messages"),
        queues=[
            Queue.counted(
                key="messages_unread",
                label=_("Unread messages"),
                url=reverse("findings:messages"),
                queryset=Message.objects.filter(user=user, read_at__isnull=True),
                count=Count("pk"),
                oldest=Min("created_at"),
            )
        ],
        order=5,
    )
