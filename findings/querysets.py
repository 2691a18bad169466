"""Chainable reads for findings (the selectors' building blocks)."""

from django.utils import timezone

from accounts.selectors import staff_directorate_id
from territory.querysets import MunicipalityScopedQuerySet

from .constants import AWAITING_FIX, FindingStatus, OutboxStatus
from .permissions import is_findings_staff


class FindingQuerySet(MunicipalityScopedQuerySet):
    def live(self):
        return self.exclude(status=FindingStatus.VERIFIED)

    def overdue(self, now=None):
        return self.filter(
            status__in=AWAITING_FIX,
            due_at__lt=now or timezone.now(),
        )

    def for_list(self):
        return self.select_related(
            "service_type", "space", "colonia", "directorate", "company", "contract", "obligation"
        )

    def visible_to(self, user, municipality):
        """Sindicatura staff read every finding of the municipality, directorate staff those of
        their directorate, anyone else none (the roles as accounts.selectors reads them)."""
        if not user.is_authenticated or municipality is None:
            return self.none()
        if is_findings_staff(user, municipality):
            return self.for_municipality(municipality)
        directorate_id = staff_directorate_id(user, municipality)
        if directorate_id is not None:
            return self.for_municipality(municipality).filter(directorate_id=directorate_id)
        return self.none()


class OutboxQuerySet(MunicipalityScopedQuerySet):
    def due(self, now=None):
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now())
