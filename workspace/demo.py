"""The demo's statistics: the facts of every municipality, computed after the apps' seeders
(``demo_finishers``, core.demo), so the statistics pages show figures from the first login."""

from core.demo import DemoContext
from territory.models import Municipality

from .statistics.services import statistics_refresh


def refresh_statistics(context: DemoContext) -> None:
    for municipality in Municipality.objects.all():
        statistics_refresh(municipality=municipality)
