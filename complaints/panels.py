"""What complaints add to other apps' pages (see territory.panels)."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from .models import Complaint
from .selectors import (
    brief_for_colonia,
    complaints_geojson,
    place_complaints,
)


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


# --- A place's page (territory.panels: space, area and colonia panels) ------------------------


def _report_action(query: str) -> dict:
    return {
        "template": "complaints/panels/report_here.html",
        "slot": "actions",
        "order": 10,
        "context": {"url": f"{reverse('complaints:new')}?{query}"},
    }


def space_report_panel(*, space) -> dict:
    """ "Report a problem here": the complaint form with the space's service, pin and name."""
    return _report_action(urlencode({"space": space.code}))


def area_report_panel(*, area) -> dict:
    return _report_action(urlencode({"area": area.pk}))


def _complaints_panel(*, with_map: bool = False, **place) -> dict:
    """The place's open complaints (public precision) and its fix rate: one statement."""
    complaints, counts = place_complaints(**place)
    return {
        "template": "complaints/panels/place_complaints.html",
        "context": {
            "complaints": complaints,
            "counts": counts,
            "points": complaints_geojson(complaints) if with_map else None,
        },
    }


def space_complaints_panel(*, space) -> dict:
    return _complaints_panel(space=space)


def area_complaints_panel(*, area) -> dict:
    return _complaints_panel(area=area)


def colonia_complaints_panel(*, colonia) -> dict:
    """On "my colonia": its open complaints on the colonia's map and as a list, its fix rate."""
    return _complaints_panel(colonia=colonia, with_map=True)
