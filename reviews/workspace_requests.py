"""Transparency requests in the staff workspace (``ReviewsConfig.workspace_sections``): the
requests filed and waiting for their answer, with how many are past their legal deadline and
the first one due, linked to the list of the overdue ones."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import STAFF_ROLES, session_staff_role
from workspace.registry import Link, Queue, Section

from .constants import RequestStatus
from .requests import requests_of


def requests_section(*, request) -> Section | None:
    municipality = request.municipality
    if municipality is None or session_staff_role(request) not in STAFF_ROLES:
        return None
    today = timezone.localdate()
    waiting = requests_of(municipality=municipality).filter(status=RequestStatus.FILED)
    return Section(
        key="transparency_requests",
        title=_("Transparency requests"),
        queues=[
            Queue.counted(
                key="transparency_requests_waiting",
                label=_("Transparency requests waiting for their answer"),
                url=reverse("transparency:list") + "?overdue=1",
                queryset=waiting,
                count=Count("pk"),
                oldest=Min("due_on"),
                overdue=Count("pk", filter=Q(due_on__lt=today)),
                help_text=_("The date shown is the first answer due; the link lists the overdue."),
            )
        ],
        links=[
            Link(
                _("All transparency requests"),
                reverse("transparency:list"),
                _("Drafted from reviews: file them, record the folio and the answer."),
            )
        ],
        order=25,
    )
