"""The findings' and notifications' statuses: imported by the models and by the querysets
(which the models import), so neither has to import the other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified fixed")
    REOPENED = "reopened", _("Reopened")
    DISPUTED = "disputed", _("Disputed")


# Findings that still wait for the directorate to act.
UNANSWERED = (FindingStatus.OPEN, FindingStatus.NOTIFIED, FindingStatus.REOPENED)
# Findings whose due date still binds: the unanswered and the acknowledged, not yet resolved.
AWAITING_FIX = (*UNANSWERED, FindingStatus.ACKNOWLEDGED)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
