"""Writes of the workspace's statistics: the refresh of a municipality's facts."""

from __future__ import annotations

import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from territory.models import Municipality
from workspace.models import COLONIA_ONLY, WITHOUT_COLONIA, StatisticFact, StatisticsRun

from .registry import sources


def rollups(municipality: Municipality, facts: list[StatisticFact]) -> list[StatisticFact]:
    """The facts summed over colonias, and summed over services, directorates and subjects:
    a page that needs no colonia (or only the colonia) adds up a few thousand rows instead of
    every combination (~100,000 a metric at the metro tier). Sums of grouped rows, in memory:
    the refresh reads each app's rows once."""
    without_colonia: dict[tuple, int] = defaultdict(int)
    colonia_only: dict[tuple, int] = defaultdict(int)
    for fact in facts:
        without_colonia[
            (
                fact.metric,
                fact.month,
                fact.service_type_id,
                fact.directorate_id,
                fact.subject_id,
                fact.bucket,
            )
        ] += fact.value
        colonia_only[(fact.metric, fact.month, fact.colonia_id, fact.bucket)] += fact.value
    return [
        *(
            StatisticFact(
                municipality=municipality,
                level=WITHOUT_COLONIA,
                metric=metric,
                month=month,
                service_type_id=service,
                directorate_id=directorate,
                subject_id=subject,
                bucket=bucket,
                value=value,
            )
            for (
                metric,
                month,
                service,
                directorate,
                subject,
                bucket,
            ), value in without_colonia.items()
        ),
        *(
            StatisticFact(
                municipality=municipality,
                level=COLONIA_ONLY,
                metric=metric,
                month=month,
                colonia_id=colonia,
                bucket=bucket,
                value=value,
            )
            for (metric, month, colonia, bucket), value in colonia_only.items()
        ),
    ]


BATCH_SIZE = 5_000  # facts per INSERT: a metro municipality has ~200,000


@transaction.atomic
def statistics_refresh(*, municipality: Municipality) -> int:
    """Recomputes the municipality's facts from every app's grouped queries and replaces the
    stored ones in one transaction, so a page reads either the old facts or the new ones.
    Two refreshes of one municipality at once take turns (the municipality's row is locked).
    Returns the number of facts stored."""
    started = time.perf_counter()
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    facts = [fact for source in sources() for fact in source.facts(municipality)]
    facts += rollups(municipality, facts)
    StatisticFact.objects.filter(municipality=municipality).delete()
    StatisticFact.objects.bulk_create(facts, batch_size=BATCH_SIZE)
    StatisticsRun.objects.update_or_create(
        municipality=municipality,
        defaults={
            "refreshed_at": timezone.now(),
            "facts": len(facts),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return len(facts)
