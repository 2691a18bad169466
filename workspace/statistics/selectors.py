"""Reads of the workspace's statistics: the facts of one statistic, scoped, filtered and added
up by one dimension, in one grouped query (plus one for the names of the rows)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from territory.models import Colonia, Directorate, Municipality, ServiceType
from workspace.models import COLONIA_ONLY, FULL, WITHOUT_COLONIA, StatisticFact, StatisticsRun

from .registry import (
    COLONIA,
    COLUMNS,
    DIRECTORATE,
    MEDIAN,
    MONTH,
    RATIO,
    SERVICE,
    SUBJECT,
    Series,
    Statistic,
    median_from_buckets,
    statistics,
)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the municipality's, and a directorate's only for its staff."""

    municipality: Municipality
    directorate_id: int | None = None


@dataclass(frozen=True)
class Filters:
    """The page's filters: months from and to (first days, both included), a service, a
    colonia, a directorate. ``None`` leaves a filter out."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    service_id: int | None = None
    colonia_id: int | None = None
    directorate_id: int | None = None


@dataclass
class Row:
    key: Any
    label: str
    values: list[float | int | None]
    buckets: dict[int, int] = field(default_factory=dict, repr=False)


@dataclass
class Figures:
    statistic: Statistic
    by: str
    rows: list[Row]
    total: Row

    @property
    def series(self) -> tuple[Series, ...]:
        return self.statistic.series


def visible_statistics(scope: Scope) -> list[Statistic]:
    """The statistics the scope can read: directorate staff, those split by directorate or
    by service (their directorate's services)."""
    found = statistics()
    if scope.directorate_id is None:
        return found
    return [s for s in found if DIRECTORATE in s.dimensions or SERVICE in s.dimensions]


def last_refresh(municipality: Municipality) -> StatisticsRun | None:
    return StatisticsRun.objects.filter(municipality=municipality).first()


def _directorate_condition(statistic: Statistic, directorate_id: int) -> Q:
    if DIRECTORATE in statistic.dimensions:
        return Q(directorate_id=directorate_id)
    return Q(service_type_id__in=ServiceType.objects.filter(directorates=directorate_id))


def level_for(scope: Scope, filters: Filters, by: str) -> int:
    """The smallest level of facts (``workspace.models.StatisticFact.level``) that answers:
    without colonias unless the colonia is asked for, the colonias alone unless something
    else is too, else every dimension."""
    colonia = by == COLONIA or filters.colonia_id is not None
    other = (
        by in (SERVICE, DIRECTORATE, SUBJECT)
        or filters.service_id is not None
        or filters.directorate_id is not None
        or scope.directorate_id is not None
    )
    if colonia and other:
        return FULL
    return COLONIA_ONLY if colonia else WITHOUT_COLONIA


def facts_for(
    statistic: Statistic, scope: Scope, filters: Filters, by: str = MONTH
) -> QuerySet[StatisticFact]:
    """The statistic's facts in the scope, filtered (a filter on a dimension the statistic
    does not carry leaves no row: nothing is known about it)."""
    facts = StatisticFact.objects.filter(
        municipality=scope.municipality,
        level=level_for(scope, filters, by),
        metric__in=statistic.metrics,
    )
    if scope.directorate_id is not None:
        facts = facts.filter(_directorate_condition(statistic, scope.directorate_id))
    if filters.start is not None:
        facts = facts.filter(month__gte=filters.start)
    if filters.end is not None:
        facts = facts.filter(month__lte=filters.end)
    for dimension, value in (
        (SERVICE, filters.service_id),
        (COLONIA, filters.colonia_id),
    ):
        if value is not None:
            if dimension not in statistic.dimensions:
                return facts.none()
            facts = facts.filter(**{COLUMNS[dimension]: value})
    if filters.directorate_id is not None:
        if DIRECTORATE not in statistic.dimensions and SERVICE not in statistic.dimensions:
            return facts.none()
        facts = facts.filter(_directorate_condition(statistic, filters.directorate_id))
    return facts


def figures(*, statistic: Statistic, scope: Scope, filters: Filters, by: str) -> Figures:
    """The statistic's series per value of ``by`` (a dimension the statistic carries), and
    their total. Two queries: the grouped sums, the rows' names."""
    if by not in statistic.dimensions:
        by = statistic.default_by
    column = COLUMNS[by]
    sums = (
        facts_for(statistic, scope, filters, by)
        .order_by()
        .values_list(column, "metric", "bucket")
        .annotate(total=Sum("value"))
    )
    # metric -> key -> sum, and the whole-day buckets of the medians' metrics
    values: dict[str, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    buckets: dict[str, dict[Any, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    keys: set[Any] = set()
    for key, metric, bucket, total in sums:
        keys.add(key)
        values[metric][key] += total
        if bucket is not None:
            buckets[metric][key][bucket] = buckets[metric][key].get(bucket, 0) + total
    if by == MONTH:
        keys = set(_months(keys, filters))
    labels = _labels(statistic, scope.municipality, by, keys)
    rows = [
        Row(
            key=key,
            label=labels.get(key) or _("Not given"),
            values=[_value(series, values, buckets, key) for series in statistic.series],
        )
        for key in keys
    ]
    total = _total(statistic, values, buckets)
    if by == MONTH:
        rows.sort(key=lambda row: row.key or datetime.date.min)
    else:
        rows.sort(key=lambda row: (-(row.values[0] or 0), row.label))
    return Figures(statistic=statistic, by=by, rows=rows, total=total)


def _value(series: Series, values, buckets, key) -> float | int | None:
    if series.kind == MEDIAN:
        return median_from_buckets(list(buckets[series.metric].get(key, {}).items()))
    if series.kind == RATIO:
        denominator = values[series.denominator].get(key, 0)
        if not denominator:
            return None
        return round(100 * values[series.metric].get(key, 0) / denominator, 1)
    return values[series.metric].get(key, 0)


def _total(statistic: Statistic, values, buckets) -> Row:
    result: list[float | int | None] = []
    for series in statistic.series:
        if series.kind == MEDIAN:
            merged: dict[int, int] = defaultdict(int)
            for per_key in buckets[series.metric].values():
                for bucket, count in per_key.items():
                    merged[bucket] += count
            result.append(median_from_buckets(list(merged.items())))
        elif series.kind == RATIO:
            denominator = sum(values[series.denominator].values())
            numerator = sum(values[series.metric].values())
            result.append(round(100 * numerator / denominator, 1) if denominator else None)
        else:
            result.append(sum(values[series.metric].values()))
    return Row(key=None, label=_("Total"), values=result)


def _months(keys: set[Any], filters: Filters) -> list[datetime.date]:
    """Every month from the first to the last (of the filter, else of the data), so that a
    month without figures shows as zero."""
    known = sorted(key for key in keys if key is not None)
    first = filters.start or (known[0] if known else None)
    last = filters.end or (known[-1] if known else None)
    if first is None or last is None:
        return known
    if not known and (filters.start is None or filters.end is None):
        return []  # no figures: an open end of the filter adds no empty months
    months: list[datetime.date] = []
    month = first.replace(day=1)
    while month <= last and len(months) < 240:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _labels(statistic: Statistic, municipality: Municipality, by: str, keys: set[Any]):
    ids = [key for key in keys if key is not None]
    if by == MONTH:
        return {key: formats.date_format(key, "YEAR_MONTH_FORMAT") for key in ids}
    if not ids:
        return {}
    if by == SUBJECT:
        source = statistic.source
        if source is None or source.subject_labels is None:
            return {}
        return source.subject_labels(municipality, ids)
    model: Any = {SERVICE: ServiceType, COLONIA: Colonia, DIRECTORATE: Directorate}[by]
    return dict(
        model.objects.filter(municipality=municipality, pk__in=ids).values_list("pk", "name")
    )
