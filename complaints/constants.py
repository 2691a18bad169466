"""The complaints' statuses, sources and personal fields: imported by the models and by the
querysets (which the models import), so neither has to import the other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.IN_PROGRESS,
)


#: Closed as done: what a fix rate counts as fixed, unless the reporter said it was not
#: (complaints.querysets.fixed_q). Rejected and duplicate complaints were not fixed by anyone.
FIXED_STATUSES = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)


class ComplaintSource(models.TextChoices):
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311")
    PHONE = "phone", _("Phone (072)")
    STAFF = "staff", _("Staff")


# The reporter's contact data: personal, deferred by ``Complaint.public_objects``.
REPORTER_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")


class QuestionDatatype(models.TextChoices):
    """Open311 GeoReport v2 attribute datatypes (a service definition's ``datatype``)."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = (QuestionDatatype.SINGLEVALUELIST, QuestionDatatype.MULTIVALUELIST)
