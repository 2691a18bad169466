"""Complaints in the staff workspace (``ComplaintsConfig.workspace_sections``): the open
complaints by status and age, a directorate's own only, and the Sindicatura's briefs."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_staff_role
from workspace.registry import Link, Queue, Section

from .constants import OPEN_STATUSES, ComplaintStatus
from .models import Complaint

# An open complaint older than this is counted apart ("overdue") on its status's queue; the
# inbox's own "older than 30 days" filter lists them.
STALE_DAYS = 30

QUEUE_LABELS = {
    ComplaintStatus.RECEIVED: _("Complaints received, not yet acknowledged"),
    ComplaintStatus.ACKNOWLEDGED: _("Complaints acknowledged, work not started"),
    ComplaintStatus.IN_PROGRESS: _("Complaints in progress"),
}


def open_complaint_queues(*, municipality, directorate_id=None, now=None) -> list[Queue]:
    """One queue per open status (count, oldest, older than ``STALE_DAYS``), scoped to the
    municipality and, for a directorate's staff, to its directorate."""
    now = now or timezone.now()
    # Most open complaints of a long backlog are stale: count the few recent ones (a short
    # range of ``complaint_open_queue_idx``) and subtract them from the status's count.
    recent = Q(created_at__gte=now - datetime.timedelta(days=STALE_DAYS))
    complaints = Complaint.private_objects.for_municipality(municipality)
    if directorate_id is not None:
        complaints = complaints.for_directorate(directorate_id)
    inbox = reverse("complaints:inbox")
    return [
        Queue.counted(
            key=f"complaints_{status}",
            label=QUEUE_LABELS[status],
            url=f"{inbox}?status={status}&o=created",
            queryset=complaints.filter(status=status),
            count=Count("pk"),
            oldest=Min("created_at"),
            on_time=Count("pk", filter=recent),
            help_text=_("Overdue: open for more than %(days)s days.") % {"days": STALE_DAYS},
        )
        for status in OPEN_STATUSES
    ]


def complaints_section(*, request) -> Section | None:
    """Directorate staff answer their directorate's complaints; the Sindicatura sees all of
    them and reads the pre-visit briefs and the impact of the program."""
    municipality = request.municipality
    role = session_staff_role(request)
    if municipality is None or role is None:
        return None
    directorate_id = request.user.directorate_id if role == Role.DIRECTORATE_STAFF else None
    inbox = reverse("complaints:inbox")
    links = [
        Link(_("Complaints inbox"), inbox),
        Link(
            _("Complaints older than 30 days"),
            f"{inbox}?age=30&o=created",
        ),
    ]
    if role in STAFF_ROLES:
        links += [
            Link(
                _("Pre-visit brief"),
                reverse("complaints:brief"),
                _("A colonia's complaints before a visit."),
            ),
            Link(
                _("Impact of the guardians"),
                reverse("complaints:impact"),
                _("Complaints before and after the first card of a colonia."),
            ),
        ]
    links.append(Link(_("Public list of complaints"), reverse("complaints:list")))
    return Section(
        key="complaints",
        title=_("Complaints"),
        queues=open_complaint_queues(municipality=municipality, directorate_id=directorate_id),
        links=links,
        order=30,
    )
