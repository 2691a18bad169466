import datetime

from django.db import models
from django.utils import timezone

from territory.querysets import MunicipalityScopedQuerySet


class CompanyQuerySet(MunicipalityScopedQuerySet):
    pass


class ContractQuerySet(MunicipalityScopedQuerySet):
    def active_on(self, day: datetime.date | models.OuterRef | None = None):
        day = day or timezone.localdate()
        return self.filter(start_date__lte=day, end_date__gte=day)

    def in_force(self, day: datetime.date | models.OuterRef | None = None):
        """The contracts in force on ``day`` (today), in the order that decides which one
        answers for a space or a service when several overlap: the latest started first, then
        the latest created (highest id). The one definition of "the contract in force": the
        map, the space page, the reconciliation and OCDS all read it from here."""
        return self.active_on(day).order_by("-start_date", "-pk")

    def in_force_on_space(self, space, day: datetime.date | models.OuterRef | None = None):
        """The contracts in force that cover ``space`` (a PublicSpace, its id or an
        ``OuterRef``) on ``day`` (a date or an ``OuterRef``), the one that answers for it
        first."""
        return self.in_force(day).filter(spaces=space)

    def in_force_on_area(self, area, day: datetime.date | models.OuterRef | None = None):
        """The contracts in force that cover the service ``area`` (a ServiceArea, its id or an
        ``OuterRef``) on ``day``, the one that answers for it first."""
        return self.in_force(day).filter(service_areas=area)

    def with_status(self, status: str, day: datetime.date | None = None):
        day = day or timezone.localdate()
        if status == "planned":
            return self.filter(start_date__gt=day)
        if status == "ended":
            return self.filter(end_date__lt=day)
        if status == "active":
            return self.active_on(day)
        return self.none()

    def ending_within(self, days: int, day: datetime.date | None = None):
        """The contracts in force that end within ``days`` days of ``day`` (today): to renew or
        tender again."""
        day = day or timezone.localdate()
        return self.active_on(day).filter(end_date__lte=day + datetime.timedelta(days=days))

    def with_coverage_counts(self):
        return self.annotate(
            space_count=models.Count("spaces", distinct=True),
            area_count=models.Count("service_areas", distinct=True),
        )
