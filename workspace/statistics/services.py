"""Writes of the workspace's statistics: the refresh of a municipality's facts."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from territory.models import Municipality
from workspace.models import StatisticFact, StatisticsRun

from .registry import sources

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
