"""Visits and training in the workspace (``GuardiansConfig.workspace_sections``): the
Sindicatura's planned visits this week, the pages to plan and record visits and to take
training attendance; a guardian's own upcoming visits."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_roles, session_staff_role
from workspace.registry import Link, Queue, Section

from . import selectors
from .constants import VisitStatus
from .permissions import active_guardian

# The visit list filtered as the queue counts: planned visits of this week, oldest first.
PLANNED_THIS_WEEK_QUERY = urlencode({"status": VisitStatus.PLANNED, "week": "this"})


def planned_visits_queue(*, municipality) -> Queue:
    """One query: the planned visits of this week, the earliest date, and how many planned
    visits are past their date without being recorded as carried out."""
    figures = selectors.planned_visits_this_week(municipality=municipality)
    return Queue(
        key="visits_planned_this_week",
        label=_("Visits planned this week"),
        count=figures["count"],
        oldest=figures["oldest"],
        overdue=figures["overdue"],
        url=reverse("guardians:visit_list") + "?" + PLANNED_THIS_WEEK_QUERY,
        help_text=_("Overdue: planned visits whose date has passed, not yet recorded."),
    )


def visits_training_section(*, request) -> Section | None:
    """The Sindicatura and administrators plan visits, share their briefs and take the
    attendance of training sessions."""
    municipality = request.municipality
    if municipality is None or session_staff_role(request) not in STAFF_ROLES:
        return None
    return Section(
        key="guardians_visits_training",
        title=_("Visits and training"),
        queues=[planned_visits_queue(municipality=municipality)],
        links=[
            Link(
                _("Plan a visit"),
                reverse("guardians:visit_plan"),
                _("Its public brief gets a link to share with the community."),
            ),
            Link(_("Visits"), reverse("guardians:visit_list")),
            Link(
                _("Planned visits"),
                reverse("guardians:visit_list") + "?" + urlencode({"status": VisitStatus.PLANNED}),
            ),
            Link(
                _("Training sessions and attendance"),
                reverse("guardians:training_list"),
                _("Record who came to each session."),
            ),
            Link(
                _("Training report"),
                reverse("guardians:training_report_all"),
                _("Attendance beside the pre- and post-test results."),
            ),
        ],
        order=21,
    )


def guardian_visits_section(*, request) -> Section | None:
    """A guardian's (or lead guardian's) upcoming visits: those they were invited to or that
    go to their colonia, with the public brief of each."""
    municipality = request.municipality
    if municipality is None or not session_roles(request) & {Role.GUARDIAN, Role.LEAD_GUARDIAN}:
        return None
    guardian = active_guardian(request.user, municipality)
    if guardian is None:
        return None
    figures = selectors.upcoming_visits_count(guardian=guardian)
    return Section(
        key="guardian_visits",
        title=_("My visits"),
        queues=[
            Queue(
                key="my_upcoming_visits",
                label=_("My upcoming visits"),
                count=figures["count"],
                oldest=figures["oldest"],
                url=reverse("guardians:my_visits"),
            )
        ],
        links=[Link(_("My upcoming visits"), reverse("guardians:my_visits"))],
        order=11,
    )
