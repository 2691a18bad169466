"""The guardians program's statuses: imported by the models and by the querysets (which the
models import), so neither has to import the other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class GuardianStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class CardReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    REVIEWED = "reviewed", _("Reviewed")


class VisitStatus(models.TextChoices):
    """A visit is planned (its brief shared with the community beforehand), then carried out."""

    PLANNED = "planned", _("Planned")
    DONE = "done", _("Carried out")
