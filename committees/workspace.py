"""We Unite to Plan Development in each role's workspace (``CommitteesConfig.workspace_sections``):
the Sindicatura's needs and requisitions waiting, and the pages of committee members and civil
employees."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_roles, session_staff_role
from workspace.registry import Link, Queue, Section

from .filters import WAITING_FOR_DECISION
from .models import Need, Requisition

PARTICIPANT_ROLES = frozenset({Role.COMMITTEE_MEMBER, Role.CIVIL_EMPLOYEE})


def needs_waiting_queue(*, municipality) -> Queue:
    return Queue.counted(
        key="needs_waiting",
        label=_("Community needs waiting for a decision"),
        queryset=Need.objects.for_municipality(municipality).filter(
            status__in=WAITING_FOR_DECISION
        ),
        count=Count("pk"),
        oldest=Min("created_at"),
        url=reverse("committees:need_list") + "?waiting=true&o=created",
        help_text=_("Identified or prioritised, not yet requisitioned nor rejected."),
    )


def requisitions_unanswered_queue(*, municipality) -> Queue:
    return Queue.counted(
        key="requisitions_unanswered",
        label=_("Requisitions without an answer"),
        queryset=Requisition.objects.for_municipality(municipality).filter(
            status=Requisition.Status.SUBMITTED
        ),
        count=Count("pk"),
        oldest=Min("submitted_on"),
        url=reverse("committees:requisition_list") + "?status=submitted&o=submitted",
        help_text=_("Submitted to an institution, no answer recorded."),
    )


def participation_staff_section(*, request) -> Section | None:
    """The Sindicatura and administrators follow the needs, requisitions, civil employees and
    allocations of every community."""
    municipality = request.municipality
    if municipality is None or session_staff_role(request) not in STAFF_ROLES:
        return None
    return Section(
        key="participation_staff",
        title=_("We Unite to Plan Development"),
        queues=[
            needs_waiting_queue(municipality=municipality),
            requisitions_unanswered_queue(municipality=municipality),
        ],
        links=[
            Link(_("Participation dashboard"), reverse("committees:dashboard")),
            Link(_("Community needs"), reverse("committees:need_list")),
            Link(_("Requisitions"), reverse("committees:requisition_list")),
            Link(_("New requisition"), reverse("committees:requisition_create")),
            Link(_("Plan a forum"), reverse("committees:forum_create")),
            Link(_("Civil employees and assignments"), reverse("committees:employee_list")),
            Link(_("Civil employees' activities"), reverse("committees:activity_list")),
            Link(
                _("Allocations"),
                reverse("committees:allocation_list"),
                _("What was delivered to each community, with its public change history."),
            ),
            Link(_("Record an allocation"), reverse("committees:allocation_create")),
            Link(_("COPLADEM"), reverse("committees:planning")),
            Link(_("Public works"), reverse("committees:work_list")),
            Link(_("Equity by community"), reverse("committees:equity")),
        ],
        order=40,
    )


def participant_section(*, request) -> Section | None:
    """Committee members and civil employees file their communities' needs and plan forums;
    a civil employee also logs their activities."""
    roles = session_roles(request)
    if request.municipality is None or not roles & PARTICIPANT_ROLES:
        return None
    if session_staff_role(request) in STAFF_ROLES:
        return None  # the staff section already lists these pages
    links = [
        Link(_("Participation dashboard"), reverse("committees:dashboard")),
        Link(_("Needs of my communities"), reverse("committees:need_list")),
        Link(_("File a need"), reverse("committees:need_create")),
        Link(_("Plan a forum"), reverse("committees:forum_create")),
    ]
    if Role.CIVIL_EMPLOYEE in roles:
        links.append(Link(_("Log an activity"), reverse("committees:activity_create")))
    links += [
        Link(_("Committees"), reverse("committees:committee_list")),
        Link(_("Forums"), reverse("committees:forum_list")),
        Link(_("Public works"), reverse("committees:work_list")),
        Link(_("COPLADEM"), reverse("committees:planning")),
    ]
    return Section(
        key="participation",
        title=_("My communities"),
        links=links,
        order=15,
    )
