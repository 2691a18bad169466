"""Contract reviews in the workspace (``ReviewsConfig.workspace_sections``): the Sindicatura's
queue of submitted reviews waiting for them, with the pages to assign reviews and edit the
checklist; a guardian's contract reviews to finish."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_roles, session_staff_role
from guardians.permissions import active_guardian
from workspace.registry import Link, Queue, Section

from . import selectors
from .constants import ReviewStatus


def reviews_staff_section(*, request) -> Section | None:
    municipality = request.municipality
    if municipality is None or session_staff_role(request) not in STAFF_ROLES:
        return None
    return Section(
        key="contract_reviews",
        title=_("Contract reviews"),
        queues=[
            Queue.counted(
                key="reviews_submitted",
                label=_("Reviews submitted, waiting for you"),
                url=reverse("reviews:list") + "?" + urlencode({"status": ReviewStatus.SUBMITTED}),
                queryset=selectors.submitted_reviews(municipality=municipality),
                count=Count("pk"),
                oldest=Min("submitted_at"),
            )
        ],
        links=[
            Link(
                _("Assign a contract review"),
                reverse("reviews:assign"),
                _("Trained guardians check a contract's documents."),
            ),
            Link(_("All contract reviews"), reverse("reviews:list")),
            Link(
                _("Review checklists"),
                reverse("admin:reviews_reviewtemplate_changelist"),
                _("Editing a checklist already used makes its next version."),
            ),
        ],
        order=24,
    )


def reviews_guardian_section(*, request) -> Section | None:
    municipality = request.municipality
    if municipality is None or not session_roles(request) & {Role.GUARDIAN, Role.LEAD_GUARDIAN}:
        return None
    guardian = active_guardian(request.user, municipality)
    if guardian is None:
        return None
    return Section(
        key="my_contract_reviews",
        title=_("My contract reviews"),
        queues=[
            Queue.counted(
                key="my_contract_reviews",
                label=_("Contract reviews to finish"),
                url=reverse("reviews:list"),
                queryset=selectors.drafts_of(guardian=guardian),
                count=Count("pk"),
                oldest=Min("created_at"),
            )
        ],
        links=[Link(_("My contract reviews"), reverse("reviews:list"))],
        order=12,
    )
