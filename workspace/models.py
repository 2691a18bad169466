"""The workspace's one table: the statistics' facts, a summary refreshed by a Celery task.

The statistics pages compare months, services, colonias, directorates and companies over
millions of complaints and card answers. Counting those rows on every page view costs seconds
at the metro tier, so each app's statistics module (``workspace_statistics`` on its AppConfig,
see ``workspace.statistics.registry``) turns its rows into grouped counts, and
``workspace.statistics.services.statistics_refresh`` stores them here; the pages add them up.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from territory.models import MunicipalityScoped

# The levels of StatisticFact: see its ``level``.
FULL, WITHOUT_COLONIA, COLONIA_ONLY = 0, 1, 2


class StatisticFact(MunicipalityScoped):
    """One grouped count: ``value`` rows of ``metric`` in ``month`` for this service, colonia,
    directorate and subject (the apps above territory put their own key there, e.g. the
    company of a finding: workspace may not point at their tables). ``bucket`` splits a
    duration into whole days, so that a median can be read from the counts."""

    metric = models.CharField(_("metric"), max_length=40)
    month = models.DateField(_("month"), null=True)
    service_type = models.ForeignKey(
        "territory.ServiceType", on_delete=models.CASCADE, null=True, related_name="+"
    )
    colonia = models.ForeignKey(
        "territory.Colonia", on_delete=models.CASCADE, null=True, related_name="+"
    )
    directorate = models.ForeignKey(
        "territory.Directorate", on_delete=models.CASCADE, null=True, related_name="+"
    )
    subject_id = models.PositiveIntegerField(_("subject"), null=True)
    bucket = models.IntegerField(_("days"), null=True)
    value = models.BigIntegerField(_("value"))
    # FULL: every dimension the app gave; BY_PLACE_KIND: summed over colonias (for pages not
    # split or filtered by colonia); BY_COLONIA: summed over services, directorates and
    # subjects. A page reads the smallest level that answers it (selectors.level_for).
    level = models.PositiveSmallIntegerField(_("level"), default=0)

    class Meta:
        verbose_name = _("statistic fact")
        verbose_name_plural = _("statistic facts")
        indexes = [models.Index(fields=["municipality", "level", "metric", "month"])]

    def __str__(self):
        return f"{self.metric} {self.month}: {self.value}"


class StatisticsRun(models.Model):
    """When a municipality's facts were last computed, and how long it took."""

    municipality = models.OneToOneField(
        "territory.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    refreshed_at = models.DateTimeField(_("refreshed"))
    facts = models.PositiveIntegerField(_("facts"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self):
        return f"{self.municipality_id}: {self.refreshed_at:%Y-%m-%d %H:%M}"
