import datetime

from django.db import models
from django.utils import timezone

from territory.querysets import MunicipalityScopedQuerySet


class CompanyQuerySet(MunicipalityScopedQuerySet):
    pass


class ContractQuerySet(MunicipalityScopedQuerySet):
    def active_on(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return self.filter(start_date__lte=day, end_date__gte=day)

    def with_status(self, status: str, day: datetime.date | None = None):
        day = day or timezone.localdate()
        if status == "planned":
            return self.filter(start_date__gt=day)
        if status == "ended":
            return self.filter(end_date__lt=day)
        if status == "active":
            return self.active_on(day)
        return self.none()

    def with_coverage_counts(self):
        return self.annotate(
            space_count=models.Count("spaces", distinct=True),
            area_count=models.Count("service_areas", distinct=True),
        )
