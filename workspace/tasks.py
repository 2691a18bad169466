"""Celery tasks of the workspace: thin, they call one service.

``refresh_statistics`` runs every half hour (``WorkspaceConfig.crontabs``, registered by
``setup_schedules``) and when staff ask for fresh figures on the statistics page.
"""

from celery import shared_task

from territory.models import Municipality

from .statistics.services import statistics_refresh


@shared_task(acks_late=True, time_limit=1800)
def refresh_statistics(municipality_id: int | None = None) -> int:
    """Refreshes one municipality's statistics, or every municipality's without an id."""
    municipalities = Municipality.objects.all()
    if municipality_id is not None:
        municipalities = municipalities.filter(pk=municipality_id)
    return sum(statistics_refresh(municipality=place) for place in municipalities)
