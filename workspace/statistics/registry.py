"""What the apps add to the workspace's statistics: their facts and how to show them.

``workspace`` sits below the apps whose numbers it shows, so it never imports them. An app
names its statistics source in its AppConfig, as a dotted path to a :class:`Source`::

    class ComplaintsConfig(AppConfig):
        workspace_statistics = ["complaints.statistics.source"]

A source has two halves. ``facts(municipality)`` returns the app's grouped counts as unsaved
``workspace.models.StatisticFact`` rows, one grouped query per metric (:func:`grouped_facts`
builds them: ``GROUP BY`` month, service, colonia, directorate, subject), never a loop over
the app's rows; ``workspace.statistics.services.statistics_refresh`` stores them, every half
hour (``workspace.tasks.refresh_statistics``). ``statistics`` says how the pages add them up:
one :class:`Statistic` per page, its series (sums of metrics, a ratio of two, or the median
of a duration kept in whole-day buckets) and the dimensions it can be split and filtered by.
``subject_labels(municipality, ids)`` names the subject dimension (e.g. companies).

The pages are scoped by ``workspace.statistics.selectors``: every figure is of the request's
municipality, and a directorate's staff see their directorate's rows only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Case, DateField, Expression, F, Func, IntegerField, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncMonth
from django.db.models.lookups import LessThan
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from workspace.models import StatisticFact

Text = str | Promise

MONTH, SERVICE, COLONIA, DIRECTORATE, SUBJECT = (
    "month",
    "service",
    "colonia",
    "directorate",
    "subject",
)
DIMENSIONS = (MONTH, SERVICE, COLONIA, DIRECTORATE, SUBJECT)
# The dimension's column in StatisticFact.
COLUMNS = {
    MONTH: "month",
    SERVICE: "service_type_id",
    COLONIA: "colonia_id",
    DIRECTORATE: "directorate_id",
    SUBJECT: "subject_id",
}

SUM, RATIO, MEDIAN = "sum", "ratio", "median"
# The whole-day buckets of a duration: one per day for the first two weeks, one per week up
# to 13 weeks, one per 30 days up to a year, then one. A median is exact to the day below 14
# days, to the week below 91 and to the month below 366 (a bucket counts as its first day):
# at the metro tier this keeps the facts of the time to close to a third of one per day.
DAILY_UNTIL, WEEKLY_UNTIL, MAX_BUCKET_DAYS = 14, 91, 366


@dataclass(frozen=True)
class Series:
    """One column of a statistic: the sum of ``metric``; for a ratio, ``metric`` over
    ``denominator`` in per cent; for a median, the median of the whole days in ``metric``.
    The series with ``chart`` share the chart's scale, so they have the same unit."""

    metric: str
    label: Text
    kind: str = SUM
    denominator: str = ""
    chart: bool = True  # False: in the table only (another unit than the charted series)

    @property
    def metrics(self) -> tuple[str, ...]:
        return (self.metric, self.denominator) if self.denominator else (self.metric,)


@dataclass(frozen=True)
class Statistic:
    """One statistics page. ``dimensions`` are those its facts carry (always the month):
    the page may be split ("by") and filtered by them. A statistic without the directorate
    dimension but with the service one is filtered for a directorate by the services the
    directorate answers for; one with neither is not shown to directorate staff."""

    key: str
    title: Text
    description: Text
    series: tuple[Series, ...]
    dimensions: tuple[str, ...] = (MONTH, SERVICE, COLONIA, DIRECTORATE)
    default_by: str = MONTH
    subject_label: Text = ""
    order: int = 100
    source: Source | None = field(default=None, compare=False, repr=False)

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for series in self.series for m in series.metrics))

    @property
    def has_median(self) -> bool:
        return any(series.kind == MEDIAN for series in self.series)


@dataclass(frozen=True)
class Source:
    """An app's statistics: the facts it computes and the pages that add them up."""

    app: str
    facts: Callable[[Any], Iterable[StatisticFact]]
    statistics: tuple[Statistic, ...]
    subject_labels: Callable[[Any, Iterable[int]], dict[int, str]] | None = None


def sources() -> list[Source]:
    """The sources the installed apps declare in ``workspace_statistics``, in app order."""
    found = []
    for app_config in apps.get_app_configs():
        for source in getattr(app_config, "workspace_statistics", ()):
            found.append(import_string(source) if isinstance(source, str) else source)
    return found


def statistics() -> list[Statistic]:
    """Every statistic of every source, each knowing its source, in order."""
    found = []
    for source in sources():
        for statistic in source.statistics:
            found.append(_with_source(statistic, source))
    return sorted(found, key=lambda statistic: (statistic.order, statistic.key))


def statistic(key: str) -> Statistic | None:
    return next((s for s in statistics() if s.key == key), None)


def _with_source(statistic: Statistic, source: Source) -> Statistic:
    from dataclasses import replace

    return replace(statistic, source=source)


# --- Building facts: the helpers the apps' statistics modules use -------------------------------


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two datetimes), in SQL: the duration bucket."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        if connection.vendor == "postgresql":
            sql = f"FLOOR(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 86400)::integer"
        else:  # SQLite / SpatiaLite: julianday() counts days as a real number
            sql = f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)"
        return sql, (*end_params, *start_params)


def month_of(field_name: str | Expression) -> Expression:
    """The first day of the month of a date or datetime column, in the portal's time zone."""
    expression = F(field_name) if isinstance(field_name, str) else field_name
    return Cast(TruncMonth(expression), output_field=DateField())


def days_bucket(end: str | Expression, start: str | Expression) -> Expression:
    """The bucket of the whole days between two datetimes (see ``DAILY_UNTIL``): its first
    day, from 0 to ``MAX_BUCKET_DAYS``."""
    days = Least(
        Greatest(
            Coalesce(
                DaysBetween(
                    F(end) if isinstance(end, str) else end,
                    F(start) if isinstance(start, str) else start,
                ),
                Value(0),
            ),
            Value(0),
        ),
        Value(MAX_BUCKET_DAYS),
    )
    # Integer division on both databases: the operands are integers.
    weeks = (days - Value(DAILY_UNTIL)) / Value(7) * Value(7) + Value(DAILY_UNTIL)
    months = (days - Value(WEEKLY_UNTIL)) / Value(30) * Value(30) + Value(WEEKLY_UNTIL)
    return Case(
        When(LessThan(days, DAILY_UNTIL), then=days),
        When(LessThan(days, WEEKLY_UNTIL), then=weeks),
        When(LessThan(days, MAX_BUCKET_DAYS), then=months),
        default=Value(MAX_BUCKET_DAYS),
        output_field=IntegerField(),
    )


def grouped_facts(
    queryset,
    *,
    municipality,
    metric: str,
    value: Expression,
    month: Expression | None = None,
    service: str | None = None,
    colonia: str | None = None,
    directorate: str | None = None,
    subject: str | None = None,
    bucket: Expression | None = None,
) -> list[StatisticFact]:
    """One grouped query over ``queryset``: ``value`` (e.g. ``Count("pk")``) per month and
    the given columns (field paths of the queryset's model), as unsaved facts of ``metric``.
    Dimensions left out are stored empty (NULL): the statistic does not carry them."""
    groups: dict[str, Any] = {}
    if month is not None:
        groups["g_month"] = month
    for name, path in (
        ("g_service", service),
        ("g_colonia", colonia),
        ("g_directorate", directorate),
        ("g_subject", subject),
    ):
        if path is not None:
            groups[name] = F(path)
    if bucket is not None:
        groups["g_bucket"] = bucket
    rows = (
        queryset.order_by()
        .annotate(**groups)
        .values(*groups)
        .annotate(g_value=value)
        .values_list(*groups, "g_value")
    )
    names = list(groups)
    facts = []
    for row in rows:
        got = dict(zip(names, row, strict=False))
        amount = row[-1] or 0
        if not amount:
            continue
        facts.append(
            StatisticFact(
                municipality=municipality,
                metric=metric,
                month=_as_date(got.get("g_month")),
                service_type_id=got.get("g_service"),
                colonia_id=got.get("g_colonia"),
                directorate_id=got.get("g_directorate"),
                subject_id=got.get("g_subject"),
                bucket=got.get("g_bucket"),
                value=amount,
            )
        )
    return facts


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def median_from_buckets(buckets: Sequence[tuple[int, int]]) -> float | None:
    """The median of the durations counted in ``(days, count)`` buckets (sorted or not):
    the middle value, or the mean of the two middle ones."""
    ordered = sorted((days, count) for days, count in buckets if count)
    total = sum(count for _, count in ordered)
    if not total:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2  # 0-based ranks of the middle
    lower = upper = None
    seen = 0
    for days, count in ordered:
        if lower is None and lower_rank < seen + count:
            lower = days
        if upper_rank < seen + count:
            upper = days
            break
        seen += count
    assert lower is not None and upper is not None
    return (lower + upper) / 2
