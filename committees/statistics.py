"""The committees' statistics for the workspace (``CommitteesConfig.workspace_statistics``):
forums held and their attendance (women, men) per month and community, and the needs met.

Needs are counted as the public equity page counts them (``committees.selectors.equity_needs``
and ``needs_met_counts``), by the month they were recorded. One grouped query per metric
(``workspace.statistics.registry.grouped_facts``)."""

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.models import Municipality
from workspace.models import StatisticFact
from workspace.statistics.registry import (
    COLONIA,
    MONTH,
    RATIO,
    Series,
    Source,
    Statistic,
    grouped_facts,
    month_of,
)

from .models import Forum
from .selectors import equity_needs, needs_met_counts

FORUMS = "forums_held"
WOMEN = "forum_attendance_women"
MEN = "forum_attendance_men"
NEEDS_PRIORITISED = "needs_prioritised"
NEEDS_MET = "needs_met"
DIMENSIONS = (MONTH, COLONIA)


def facts(municipality: Municipality) -> list[StatisticFact]:
    held = Forum.objects.for_municipality(municipality).filter(starts_at__lte=timezone.now())
    by_forum_month = {"month": month_of("starts_at"), "colonia": "colonia_id"}
    needs = equity_needs(municipality)
    counts = needs_met_counts()
    by_need_month = {"month": month_of("created_at"), "colonia": "colonia_id"}
    return [
        *grouped_facts(
            held, municipality=municipality, metric=FORUMS, value=Count("pk"), **by_forum_month
        ),
        *grouped_facts(
            held,
            municipality=municipality,
            metric=WOMEN,
            value=Sum("attendance_women"),
            **by_forum_month,
        ),
        *grouped_facts(
            held,
            municipality=municipality,
            metric=MEN,
            value=Sum("attendance_men"),
            **by_forum_month,
        ),
        *grouped_facts(
            needs,
            municipality=municipality,
            metric=NEEDS_PRIORITISED,
            value=counts["prioritised"],
            **by_need_month,
        ),
        *grouped_facts(
            needs, municipality=municipality, metric=NEEDS_MET, value=counts["met"], **by_need_month
        ),
    ]


source = Source(
    app="committees",
    facts=facts,
    statistics=(
        Statistic(
            key="forums",
            title=_("Forums held and attendance"),
            description=_(
                "Forums and community action debates held (their date has passed), and the "
                "women and men who attended them."
            ),
            series=(
                Series(FORUMS, _("Forums held"), chart=False),
                Series(WOMEN, _("Women attending")),
                Series(MEN, _("Men attending")),
            ),
            dimensions=DIMENSIONS,
            order=70,
        ),
        Statistic(
            key="needs",
            title=_("Needs met"),
            description=_(
                "Needs that a committee prioritised and those delivered, by the month they "
                "were recorded: the same count as the public equity page."
            ),
            series=(
                Series(NEEDS_MET, _("Needs met")),
                Series(NEEDS_PRIORITISED, _("Needs prioritised")),
                Series(
                    NEEDS_MET,
                    _("Share met"),
                    kind=RATIO,
                    denominator=NEEDS_PRIORITISED,
                    chart=False,
                ),
            ),
            dimensions=DIMENSIONS,
            order=80,
        ),
    ),
)
