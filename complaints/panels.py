"""What complaints add to other apps' pages (see territory.panels)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from .models import Complaint
from .selectors import brief_for_colonia


def visit_brief_panel(*, visit) -> dict:
    """On a guardians' visit: the complaints brief of its colonia for the year before it."""
    start = visit.date - datetime.timedelta(days=365)
    url = reverse("complaints:brief")
    query = f"?colonia={visit.colonia_id}&start={start:%Y-%m-%d}&end={visit.date:%Y-%m-%d}"
    return {"template": "complaints/panels/visit_brief.html", "context": {"url": url + query}}


PUBLIC_BRIEF_DAYS = 365


def visit_public_brief_panel(*, visit) -> dict:
    """On a planned visit's public brief: what complaints said about its colonia in the last
    year, by service (open and total) and the spaces with most complaints with the contracts
    covering them. Counts only: never who complained."""
    end = timezone.localdate()
    brief = brief_for_colonia(
        colonia=visit.colonia, start=end - datetime.timedelta(days=PUBLIC_BRIEF_DAYS), end=end
    )
    open_statuses = set(Complaint.OPEN_STATUSES)
    rows = [
        {
            "service": row["service"],
            "open": sum(n for status, n in row["counts"].items() if status in open_statuses),
            "total": row["total"],
        }
        for row in brief.rows
    ]
    return {
        "template": "complaints/panels/visit_public_brief.html",
        "context": {"brief": brief, "rows": rows, "days": PUBLIC_BRIEF_DAYS},
    }
