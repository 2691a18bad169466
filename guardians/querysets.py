"""Chainable reads for the guardians app (the selectors' building blocks)."""

from django.db.models import Q

from territory.querysets import MunicipalityScopedQuerySet

from .constants import ApplicationStatus, CardReviewStatus, GuardianStatus, VisitStatus
from .permissions import is_program_staff


class GuardianApplicationQuerySet(MunicipalityScopedQuerySet):
    def pending(self):
        return self.filter(status=ApplicationStatus.PENDING)


class GuardianQuerySet(MunicipalityScopedQuerySet):
    def active(self):
        return self.filter(status=GuardianStatus.ACTIVE)

    def leads(self):
        return self.filter(is_lead=True, status=GuardianStatus.ACTIVE)


class CardTemplateQuerySet(MunicipalityScopedQuerySet):
    def current(self):
        return self.filter(is_current=True)


class CardQuerySet(MunicipalityScopedQuerySet):
    def visible_to(self, user, municipality):
        """Cards a user may read: staff every card of the municipality, a lead guardian the
        cards of their colonia, a guardian their own, anyone else none."""
        if not user.is_authenticated:
            return self.none()
        if is_program_staff(user, municipality):
            return self if municipality is None else self.for_municipality(municipality)
        guardian = getattr(user, "guardian_profile", None)
        if guardian is None or guardian.status != GuardianStatus.ACTIVE:
            return self.none()
        if municipality is not None and guardian.municipality_id != municipality.pk:
            return self.none()
        if guardian.is_lead:
            return self.filter(Q(colonia_id=guardian.colonia_id) | Q(guardian=guardian))
        return self.filter(guardian=guardian)

    def for_list(self):
        return self.select_related("space", "service_type", "colonia", "template")

    def pending_review(self):
        return self.filter(review_status=CardReviewStatus.PENDING)

    def staff_email_due(self, *, submitted_before):
        """Cards with failures whose e-mail to the staff has not been sent yet."""
        return self.filter(
            failure_count__gt=0, staff_notified_at__isnull=True, submitted_at__lte=submitted_before
        )


class VisitQuerySet(MunicipalityScopedQuerySet):
    def planned(self):
        return self.filter(status=VisitStatus.PLANNED)

    def done(self):
        return self.filter(status=VisitStatus.DONE)
