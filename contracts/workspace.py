"""Contracts in the staff workspace (``ContractsConfig.workspace_sections``): the contracts in
force that end soon (a directorate's own), to renew or tender again."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import session_staff_role
from workspace.registry import Link, Queue, Section

from .models import Contract

ENDING_DAYS = 60


def ending_contracts_queue(*, municipality, directorate_id=None) -> Queue:
    contracts = Contract.objects.for_municipality(municipality).ending_within(ENDING_DAYS)
    query = f"ending={ENDING_DAYS}&o=end"
    if directorate_id is not None:
        contracts = contracts.filter(directorate_id=directorate_id)
        query += f"&directorate={directorate_id}"
    return Queue.counted(
        key="contracts_ending",
        label=_("Contracts ending within %(days)s days") % {"days": ENDING_DAYS},
        queryset=contracts,
        count=Count("pk"),
        oldest=Min("end_date"),
        url=reverse("contracts:contract_list") + "?" + query,
        help_text=_("The date shown is the first to end."),
    )


def contracts_section(*, request) -> Section | None:
    municipality = request.municipality
    role = session_staff_role(request)
    if municipality is None or role is None:
        return None
    directorate_id = request.user.directorate_id if role == Role.DIRECTORATE_STAFF else None
    return Section(
        key="contracts",
        title=_("Contracts"),
        queues=[ending_contracts_queue(municipality=municipality, directorate_id=directorate_id)],
        links=[Link(_("Contracts and companies"), reverse("contracts:contract_list"))],
        order=50,
    )
