"""What complaints add to other apps' pages (see territory.panels)."""

import datetime

from django.urls import reverse


def visit_brief_panel(*, visit) -> dict:
    """On a guardians' visit: the complaints brief of its colonia for the year before it."""
    start = visit.date - datetime.timedelta(days=365)
    url = reverse("complaints:brief")
    query = f"?colonia={visit.colonia_id}&start={start:%Y-%m-%d}&end={visit.date:%Y-%m-%d}"
    return {"template": "complaints/panels/visit_brief.html", "context": {"url": url + query}}
