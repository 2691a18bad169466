"""The complaints' statistics for the workspace (``ComplaintsConfig.workspace_statistics``):
received and closed per month, service, colonia and directorate, and the median time to close.

A complaint is closed when its status is no longer open (``Complaint.is_open``, the Open311
"closed"); it closed at the first history step that left it closed, or, without one (imported
rows), when it was last updated. The closed complaints are counted per bucket of whole days
to close (``days_bucket``): their sum is the number closed, their median the time to close.
Three grouped queries (``workspace.statistics.registry.grouped_facts``).
"""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
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


def _closing_steps(municipality: Municipality):
    """The first step of each closed complaint's history that left it closed (a NOT EXISTS
    of an earlier one: an anti-join, not a subquery per complaint)."""
    steps = ComplaintUpdate.objects.filter(complaint__municipality=municipality).exclude(
        status__in=OPEN_STATUSES
    )
    earlier = steps.filter(complaint=OuterRef("complaint")).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    return steps.exclude(complaint__status__in=OPEN_STATUSES).filter(~Exists(earlier))


def facts(municipality: Municipality) -> list[StatisticFact]:
    complaints = Complaint.private_objects.filter(municipality=municipality)
    received = grouped_facts(
        complaints,
        municipality=municipality,
        metric=RECEIVED,
        value=Count("pk"),
        month=month_of("created_at"),
        **PLACES,
    )
    # Closed: the count of each bucket of days to close, so one metric gives both the
    # complaints closed (the sum) and the median time.
    closed = grouped_facts(
        _closing_steps(municipality),
        municipality=municipality,
        metric=DAYS_TO_CLOSE,
        value=Count("pk"),
        month=month_of("created_at"),
        bucket=days_bucket("created_at", "complaint__created_at"),
        **{name: f"complaint__{path}" for name, path in PLACES.items()},
    )
    # Closed without a closing step in their history (imported so): when last updated.
    closed_without_step = grouped_facts(
        complaints.exclude(status__in=OPEN_STATUSES).filter(
            ~Exists(
                ComplaintUpdate.objects.filter(complaint=OuterRef("pk")).exclude(
                    status__in=OPEN_STATUSES
                )
            )
        ),
        municipality=municipality,
        metric=DAYS_TO_CLOSE,
        value=Count("pk"),
        month=month_of("updated_at"),
        bucket=days_bucket("updated_at", "created_at"),
        **PLACES,
    )
    return [*received, *closed, *closed_without_step, *_closed(closed + closed_without_step)]


def _closed(by_days: list[StatisticFact]) -> list[StatisticFact]:
    """The closed complaints without their buckets of days (summed from the grouped rows):
    the page of complaints received and closed then adds up a bucket's share of the rows."""
    sums: dict[tuple, int] = defaultdict(int)
    first: dict[tuple, StatisticFact] = {}
    for fact in by_days:
        key = (fact.month, fact.service_type_id, fact.colonia_id, fact.directorate_id)
        sums[key] += fact.value
        first.setdefault(key, fact)
    return [
        StatisticFact(
            municipality_id=first[key].municipality_id,
            metric=CLOSED,
            month=key[0],
            service_type_id=key[1],
            colonia_id=key[2],
            directorate_id=key[3],
            value=value,
        )
        for key, value in sums.items()
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
