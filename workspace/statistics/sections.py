"""The workspace's own section: the statistics, for the staff who read them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.selectors import session_staff_role
from workspace.registry import Link, Section

READERS = (Role.ADMINISTRATOR, Role.MUNICIPAL_STAFF, Role.DIRECTORATE_STAFF)


def statistics_section(*, request) -> Section | None:
    """A link to the statistics for municipal staff, administrators and directorate staff
    (decided on the roles kept in the session: no query)."""
    if session_staff_role(request) not in READERS:
        return None
    return Section(
        key="statistics",
        title=_("Statistics"),
        links=[
            Link(
                label=_("Statistics"),
                url=reverse("workspace:statistics:index"),
                description=_(
                    "Complaints, findings, cards, guardians, forums and needs per month, "
                    "service and colonia, with charts, tables and CSV downloads."
                ),
            )
        ],
        order=900,
    )
