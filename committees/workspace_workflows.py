"""The participation program's workflows in the workspace (``CommitteesConfig.
workspace_sections``): COPLADEM agreements due or overdue and the pages that close forums,
record sessions, register committees and report the progress of works."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_roles, session_staff_role
from workspace.registry import Link, Queue, Section

from . import selectors
from .permissions import participant_for


def agreements_due_queue(*, municipality) -> Queue:
    """Pending COPLADEM agreements due soon or overdue: count, oldest due date, overdue count,
    linking to the list sorted by due date (one query)."""
    figures = selectors.agreements_due_summary(municipality)
    return Queue(
        key="copladem_agreements_due",
        label=_("COPLADEM agreements due or overdue"),
        count=figures["count"],
        oldest=figures["oldest"],
        overdue=figures["overdue"],
        url=reverse("committees:agreement_list") + "?show=due",
        help_text=_("Pending agreements due within %(days)s days or past their date.")
        % {"days": selectors.AGREEMENT_DUE_SOON_DAYS},
    )


def forums_to_close_queue(*, municipality, participant) -> Queue:
    figures = selectors.forums_to_close(municipality, participant).aggregate(
        count=Count("pk"), oldest=Min("starts_at")
    )
    return Queue(
        key="forums_to_close",
        label=_("Forums to close"),
        count=figures["count"],
        oldest=figures["oldest"],
        url=reverse("committees:forum_close_list"),
        help_text=_("Forums held whose attendance, minutes and agreements are not recorded."),
    )


def workflows_staff_section(*, request) -> Section | None:
    """Program staff close forums, record COPLADEM sessions and follow their agreements,
    register committees and report the progress of works."""
    municipality = request.municipality
    if municipality is None or session_staff_role(request) not in STAFF_ROLES:
        return None
    participant = participant_for(request.user, municipality)
    if not participant.is_staff:
        return None
    return Section(
        key="committees_workflows",
        title=_("COPLADEM, forums and committees"),
        queues=[
            agreements_due_queue(municipality=municipality),
            forums_to_close_queue(municipality=municipality, participant=participant),
        ],
        links=[
            Link(_("Record a COPLADEM session"), reverse("committees:session_create")),
            Link(
                _("COPLADEM agreements"),
                reverse("committees:agreement_list") + "?show=pending",
                _("Every pending agreement by due date; mark them done with evidence."),
            ),
            Link(
                _("Committee registrations"),
                reverse("committees:registration_list"),
                _("Assembly, officers, registration and the registration certificate."),
            ),
            Link(_("Works to report on"), reverse("committees:works_report_list")),
        ],
        order=60,
    )


def workflows_member_section(*, request) -> Section | None:
    """A committee member or civil employee closes the forums of their communities and
    reports the progress of the works their committee or association executes."""
    municipality = request.municipality
    roles = session_roles(request)
    if municipality is None or not roles & {Role.COMMITTEE_MEMBER, Role.CIVIL_EMPLOYEE}:
        return None
    if session_staff_role(request) in STAFF_ROLES:
        return None  # staff see the staff section
    participant = participant_for(request.user, municipality)
    if not participant.can_participate:
        return None
    return Section(
        key="committees_member_workflows",
        title=_("My committee's work"),
        queues=[forums_to_close_queue(municipality=municipality, participant=participant)],
        links=[
            Link(
                _("Works to report on"),
                reverse("committees:works_report_list"),
                _("The public works your committee or association executes."),
            ),
        ],
        order=60,
    )
