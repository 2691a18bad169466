"""The complaints' statistics for the workspace (``ComplaintsConfig.workspace_statistics``):
received and closed per month, service, colonia and directorate, and the median time to close.

A complaint is closed when its status is no longer open (``Complaint.is_open``, the Open311
"closed"); it closed at the first history step that left it closed, or, without one (imported
rows), when it was last updated. Each metric is one grouped query (see
``workspace.statistics.registry.grouped_facts``).
"""

from django.db.models import Count, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from territory.models import Municipality
from workspace.models import StatisticFact
from workspace.statistics.registry import (
    MEDIAN,
    Series,
    Source,
    Statistic,
    days_bucket,
    grouped_facts,
    month_of,
)

from .constants import OPEN_STATUSES
from .models import Complaint, ComplaintUpdate

RECEIVED = "complaints_received"
CLOSED = "complaints_closed"
DAYS_TO_CLOSE = "complaints_days_to_close"
PLACES = {"service": "service_type_id", "colonia": "colonia_id", "directorate": "directorate_id"}


def closed_complaints(municipality: Municipality):
    """The municipality's closed complaints, annotated with ``closed_at``."""
    first_closing_step = (
        ComplaintUpdate.objects.filter(complaint=OuterRef("pk"))
        .exclude(status__in=OPEN_STATUSES)
        .order_by()
        .values("complaint")
        .annotate(first=Min("created_at"))
        .values("first")[:1]
    )
    return (
        Complaint.private_objects.filter(municipality=municipality)
        .exclude(status__in=OPEN_STATUSES)
        .annotate(closed_at=Coalesce(Subquery(first_closing_step), "updated_at"))
    )


def facts(municipality: Municipality) -> list[StatisticFact]:
    received = grouped_facts(
        Complaint.private_objects.filter(municipality=municipality),
        municipality=municipality,
        metric=RECEIVED,
        value=Count("pk"),
        month=month_of("created_at"),
        **PLACES,
    )
    closed = closed_complaints(municipality)
    return [
        *received,
        *grouped_facts(
            closed,
            municipality=municipality,
            metric=CLOSED,
            value=Count("pk"),
            month=month_of("closed_at"),
            **PLACES,
        ),
        *grouped_facts(
            closed,
            municipality=municipality,
            metric=DAYS_TO_CLOSE,
            value=Count("pk"),
            month=month_of("closed_at"),
            bucket=days_bucket("closed_at", "created_at"),
            **PLACES,
        ),
    ]


source = Source(
    app="complaints",
    facts=facts,
    statistics=(
        Statistic(
            key="complaints",
            title=_("Complaints received and closed"),
            description=_(
                "Complaints received in each month (by the date they were reported) and "
                "closed in each month (by the date they were closed: resolved, closed, "
                "rejected or marked duplicate)."
            ),
            series=(Series(RECEIVED, _("Received")), Series(CLOSED, _("Closed"))),
            order=10,
        ),
        Statistic(
            key="time-to-close",
            title=_("Median time to close a complaint"),
            description=_(
                "Of the complaints closed in the period, the median number of whole days "
                "from the report to the closing."
            ),
            series=(
                Series(DAYS_TO_CLOSE, _("Median days to close"), kind=MEDIAN),
                Series(DAYS_TO_CLOSE, _("Complaints closed"), chart=False),
            ),
            order=20,
        ),
    ),
)
