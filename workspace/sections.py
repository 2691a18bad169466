"""The workspace's own sections: the user's account (every login) and the ARCO requests the
Sindicatura must answer within the legal term. The apps above add theirs in their AppConfig's
``workspace_sections`` (see ``workspace.registry``)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.models import ArcoRequest
from accounts.selectors import (
    PERSONAL_DATA_ROLES,
    STAFF_ROLES,
    is_deployment_admin,
    session_roles,
    session_staff_role,
)
from core.working_days import latest_filing_past_deadline

from .registry import Link, Queue, Section

# The Ley Federal de Protección de Datos Personales en Posesión de los Particulares (and the
# general law for public bodies) gives 20 working days to answer an ARCO request.
ARCO_ANSWER_WORKING_DAYS = 20


def opens_admin(request) -> bool:
    """Whether the Django admin opens for this user (``is_staff`` with a municipality of their
    own, or a deployment admin: ``core.admin_base.can_administer``'s rule, asked without
    loading the municipality): only then are admin pages linked."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return is_deployment_admin(user) or user.municipality_id is not None


def admin_url(name: str, query: str = "") -> str:
    url = reverse(f"admin:{name}")
    return f"{url}?{query}" if query else url


def account_section(*, request) -> Section | None:
    """Every login: their personal data (ARCO rights), two-factor login (required for the roles
    that read personal data, optional for the others), and the Django admin for data
    maintenance where it opens."""
    if not request.user.is_authenticated:
        return None
    links = [
        Link(
            _("My personal data"),
            reverse("privacy:my_data"),
            _("See, download or correct your data; ask to cancel it."),
        )
    ]
    needs_second_factor = session_roles(request) & PERSONAL_DATA_ROLES or request.user.is_staff
    links.append(
        Link(
            _("Two-factor login"),
            reverse("accounts:otp_setup"),
            _("Set up the authenticator app your role needs.")
            if needs_second_factor
            else _("Optional: protect your account with an authenticator app."),
        )
    )
    if opens_admin(request):
        links.append(
            Link(
                _("Data administration"),
                admin_url("index"),
                _("The Django admin, for maintaining the catalogues and records."),
            )
        )
    return Section(key="account", title=_("My account"), links=links, order=900)


def arco_queue(*, municipality, today: datetime.date | None = None) -> Queue:
    """Pending ARCO requests of ``municipality``: how many, the oldest, and how many are past
    the legal term of 20 working days (read with the page's other queues)."""
    today = today or timezone.localdate()
    cutoff = latest_filing_past_deadline(today, ARCO_ANSWER_WORKING_DAYS)
    # Filed on or before the cutoff (a local date): before the next day's local midnight.
    overdue_before = timezone.make_aware(
        datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time.min)
    )
    return Queue.counted(
        key="arco_pending",
        label=_("ARCO requests to answer"),
        queryset=ArcoRequest.objects.filter(
            municipality=municipality, status=ArcoRequest.Status.PENDING
        ),
        count=Count("pk"),
        oldest=Min("created_at"),
        overdue=Count("pk", filter=Q(created_at__lt=overdue_before)),
        # The admin's changelist, pending first-filed first (column 4 is the filing date).
        url=admin_url("accounts_arcorequest_changelist", "status__exact=pending&o=4"),
        help_text=_("The law gives 20 working days to answer; overdue ones are counted apart."),
    )


def privacy_section(*, request) -> Section | None:
    """The Sindicatura and administrators answer ARCO requests, in the admin."""
    if session_staff_role(request) not in STAFF_ROLES or not opens_admin(request):
        return None
    municipality = request.municipality
    if municipality is None:
        return None
    return Section(
        key="privacy",
        title=_("Personal data (ARCO)"),
        queues=[arco_queue(municipality=municipality)],
        links=[Link(_("Privacy notice"), reverse("privacy:notice"))],
        order=800,
    )


def role_labels(request) -> list:
    roles = session_roles(request)
    return [role.label for role in Role if role.value in roles]
