"""The review's and the transparency request's states, shared by models, querysets and
selectors (no cycle)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    TENDER = "tender", _("The tender")
    CONTRACT = "contract", _("The contract")
    OBLIGATIONS = "obligations", _("The obligations")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_FOUND = "not_found", _("Not found in the documents")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for discussion")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")


class ObservationOutcome(models.TextChoices):
    NONE = "none", _("Published only")
    FINDING = "finding", _("Sent to the directorate as a finding")
    INFORMATION_REQUEST = "information_request", _("Asked for by a transparency request")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Drafted, not filed yet")
    FILED = "filed", _("Filed, waiting for the answer")
    ANSWERED = "answered", _("Answered")
