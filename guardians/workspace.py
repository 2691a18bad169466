"""The guardians program in each role's workspace (``GuardiansConfig.workspace_sections``):
the Sindicatura's applications and card review, a guardian's cards and training."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import STAFF_ROLES, session_roles, session_staff_role
from workspace.registry import Link, Queue, Section

from .models import Card, GuardianApplication

# The filtered lists the queues open: waiting items only, the oldest first.
PENDING_APPLICATIONS_QUERY = "status=pending&o=created"


def pending_applications_queue(*, municipality) -> Queue:
    return Queue.counted(
        key="guardian_applications",
        label=_("Guardian applications to approve"),
        url=reverse("guardians:application_list") + "?" + PENDING_APPLICATIONS_QUERY,
        queryset=GuardianApplication.private_objects.for_municipality(municipality).pending(),
        count=Count("pk"),
        oldest=Min("created_at"),
    )


def cards_to_review_queue(*, municipality) -> Queue:
    return Queue.counted(
        key="cards_to_review",
        label=_("Cards to review"),
        # The review queue lists the waiting cards oldest first.
        url=reverse("guardians:review_queue"),
        queryset=Card.objects.for_municipality(municipality).pending_review(),
        count=Count("pk"),
        oldest=Min("submitted_at"),
    )


def program_staff_section(*, request) -> Section | None:
    """The Sindicatura and administrators run the program: applications and card review (the
    visits and training: ``guardians.workspace_visits``)."""
    municipality = request.municipality
    if municipality is None or session_staff_role(request) not in STAFF_ROLES:
        return None
    return Section(
        key="guardians_program",
        title=_("Citizen Guardians"),
        queues=[
            pending_applications_queue(municipality=municipality),
            cards_to_review_queue(municipality=municipality),
        ],
        links=[
            Link(_("Guardian applications"), reverse("guardians:application_list")),
            Link(_("Card review"), reverse("guardians:review_queue")),
            Link(_("All surveillance cards"), reverse("guardians:card_list")),
            # Visits and training have their own section (guardians.workspace_visits).
            Link(_("Record a visit that took place"), reverse("guardians:visit_create")),
            Link(_("The program's public page"), reverse("guardians:program")),
        ],
        order=20,
    )


def guardian_section(*, request) -> Section | None:
    """A guardian files cards and takes the training; a lead guardian also reads the cards of
    their colonia (the same list shows them)."""
    roles = session_roles(request)
    if request.municipality is None or not roles & {Role.GUARDIAN, Role.LEAD_GUARDIAN}:
        return None
    is_lead = Role.LEAD_GUARDIAN in roles
    return Section(
        key="guardian",
        title=_("My surveillance"),
        links=[
            Link(_("File a surveillance card"), reverse("guardians:card_new")),
            Link(
                _("Cards of my colonia") if is_lead else _("My cards"),
                reverse("guardians:card_list"),
            ),
            Link(_("Training and evaluations"), reverse("guardians:training_list")),
            Link(_("The program's public page"), reverse("guardians:program")),
        ],
        order=10,
    )
