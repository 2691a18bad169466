"""Complaints about public services, as citizens, the 072 line and other systems report them.

Reporter contact data is personal: the model has no plain ``.objects``. Callers choose
``public_objects`` (reporter fields deferred, for anything a citizen or another system sees) or
``private_objects`` (staff, services). Public output is built field by field in
``complaints.selectors.complaint_public_dict``, never from the whole row.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from territory.models import MunicipalityScoped, municipality_field

from .constants import (
    LIST_DATATYPES,
    OPEN_STATUSES,
    ComplaintSource,
    ComplaintStatus,
    QuestionDatatype,
)
from .constants import REPORTER_FIELDS as REPORTER_FIELDS  # callers read it here too
from .querysets import ComplaintQuerySet, PublicComplaintManager


class Complaint(models.Model):
    Status = ComplaintStatus
    OPEN_STATUSES = OPEN_STATUSES
    Source = ComplaintSource

    # Not MunicipalityScoped: reporter data, so no plain ``.objects`` beside private_objects.
    municipality = municipality_field()
    code = models.CharField(_("tracking code"), max_length=12, unique=True, editable=False)
    token = models.UUIDField(_("Open311 token"), default=uuid.uuid4, unique=True, editable=False)
    service_type = models.ForeignKey(
        "territory.ServiceType",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    description = models.TextField(_("description"), max_length=4000)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    colonia = models.ForeignKey(
        "territory.Colonia",
        verbose_name=_("colonia"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    space = models.ForeignKey(
        "territory.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    directorate = models.ForeignKey(
        "territory.Directorate",
        verbose_name=_("directorate in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    attributes = models.JSONField(_("Open311 attributes"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), blank=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    language = models.CharField(_("reporter's language"), max_length=10, blank=True)
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    external_id = models.CharField(
        _("external folio"),
        max_length=60,
        blank=True,
        help_text=_("The folio of the 072 call centre or of the system that sent it."),
    )
    open311_client = models.ForeignKey(
        "complaints.Open311Client",
        verbose_name=_("Open311 client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    created_at = models.DateTimeField(_("reported"), db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    private_objects = ComplaintQuerySet.as_manager()
    public_objects = PublicComplaintManager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]
        default_manager_name = "private_objects"
        base_manager_name = "private_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_complaint_external_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("id")),
                name="complaint_not_duplicate_of_itself",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "created_at"]),
            models.Index(fields=["colonia", "created_at"]),
            # A directorate's open-complaint queues (``complaints.workspace``): count, oldest
            # and the recent ones by status, read from the index alone (no heap visits).
            models.Index(
                fields=["municipality", "directorate", "status", "created_at"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="complaint_open_queue_idx",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.service_type}"

    def get_absolute_url(self):
        return reverse("complaints:detail", kwargs={"code": self.code})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"


class ComplaintUpdate(models.Model):
    """One step of a complaint's history: its status then, and the note shown to the public."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(_("status"), max_length=20, choices=Complaint.Status.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=20, choices=Complaint.Status.choices, blank=True
    )
    note = models.TextField(_("public note"), max_length=2000, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), db_index=True)
    # The row is the outbox of the e-mails about this change: the status change sets the flags
    # in its own transaction (only when there is someone to tell, so that anonymous complaints
    # leave nothing pending), and whoever sends (the tasks enqueued on commit, or the sweeper
    # when the broker was down) clears them in the transaction that sends. Each follower's
    # own marker is ComplaintFollower.last_notified_update.
    reporter_email_pending = models.BooleanField(
        _("e-mail to the reporter pending"), default=False, db_default=False, editable=False
    )
    reporter_notified_at = models.DateTimeField(
        _("reporter e-mailed"), null=True, blank=True, editable=False
    )
    followers_email_pending = models.BooleanField(
        _("e-mails to the followers pending"), default=False, db_default=False, editable=False
    )

    #: Its complaint's municipality scopes the page cache's invalidation (core.pagecache).
    pagecache_parent = "complaint"

    class Meta:
        verbose_name = _("complaint update")
        verbose_name_plural = _("complaint updates")
        ordering = ["created_at", "id"]
        indexes = [
            # The sweeper's query; only pending rows are in it, so it stays a few rows small.
            models.Index(
                fields=["created_at"],
                condition=models.Q(reporter_email_pending=True)
                | models.Q(followers_email_pending=True),
                name="complaintupdate_email_due",
            )
        ]

    def __str__(self):
        return f"{self.complaint_id}: {self.get_status_display()}"


class ComplaintPhoto(models.Model):
    """A photo re-encoded on upload (type from the bytes, metadata stripped)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    pagecache_parent = "complaint"

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class ComplaintFollower(models.Model):
    """A citizen who follows a complaint by e-mail instead of filing a duplicate.

    The e-mail is personal data: public pages show only how many follow a complaint, and no
    public page, Open311 response, GeoJSON or export reads this table; staff see it in the
    admin. Each follower unsubscribes with their own token.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="followers"
    )
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, blank=True)
    token = models.UUIDField(
        _("unsubscribe token"), default=uuid.uuid4, unique=True, editable=False
    )
    # Which status change this follower was last told of: a second run of the notification
    # task skips them (see complaints.services.complaint_notify_followers).
    last_notified_update = models.ForeignKey(
        ComplaintUpdate,
        verbose_name=_("last change e-mailed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(
        _("following since (privacy notice accepted)"), auto_now_add=True
    )
    # Double opt-in: a row is created only when its owner follows the link e-mailed to them
    # (complaints.services.complaint_follow_request), so every row since has this date. Rows
    # from before, when anyone could enter anyone's address, have none and are not e-mailed.
    confirmed_at = models.DateTimeField(_("address confirmed"), null=True, blank=True)

    pagecache_parent = "complaint"

    class Meta:
        verbose_name = _("complaint follower")
        verbose_name_plural = _("complaint followers")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "email"], name="unique_complaint_follower_email"
            )
        ]

    def __str__(self):
        # No e-mail here: __str__ ends up in logs and admin messages.
        return f"{self.complaint_id}: follower {self.pk}"


class FixedQuestion(models.Model):
    """The one "Has it been fixed?" question a complaint's reporter is e-mailed once it is
    resolved or closed (at most one per complaint: the one-to-one key), and their answer.

    The row is the e-mail's outbox (``email_pending``, claimed and cleared in the transaction
    that sends). A "no" reopens the complaint, and the complaint then counts as not fixed
    (``ComplaintQuerySet.fixed``) even if it is closed again. The comment is the reporter's:
    staff read it, public pages do not show it.
    """

    complaint = models.OneToOneField(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="fixed_question",
    )
    created_at = models.DateTimeField(_("asked"))
    email_pending = models.BooleanField(
        _("e-mail pending"), default=True, db_default=True, editable=False
    )
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    fixed = models.BooleanField(_("fixed, says the reporter"), null=True, blank=True)
    comment = models.TextField(_("reporter's comment"), max_length=2000, blank=True)

    pagecache_parent = "complaint"

    class Meta:
        verbose_name = _("'has it been fixed?' question")
        verbose_name_plural = _("'has it been fixed?' questions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_pending=True),
                name="fixedquestion_email_due",
            )
        ]

    def __str__(self):
        return f"{self.complaint_id}: fixed? {self.fixed}"


class Open311Client(MunicipalityScoped):
    """A system allowed to file complaints through Open311 (the 072 line, a city app...).

    Only a SHA-256 hash of its key is stored: the key is shown once, when it is issued.
    """

    name = models.CharField(_("name"), max_length=120)
    key_prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="unique_active_open311_client_name",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ServiceQuestion(models.Model):
    """A question asked of whoever reports a problem with a service: an Open311 service
    definition attribute. The web form asks it and ``services/<code>`` publishes it, both
    from these rows; answers are stored in ``Complaint.attributes`` under ``code``."""

    Datatype = QuestionDatatype

    service_type = models.ForeignKey(
        "territory.ServiceType",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.SlugField(
        _("code"),
        max_length=50,
        help_text=_(
            "The Open311 attribute code; answers are stored under it. Do not change it "
            "once complaints carry it."
        ),
    )
    description = models.CharField(
        _("question"), max_length=300, help_text=_("The question as the citizen reads it.")
    )
    datatype = models.CharField(
        _("kind of answer"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    datatype_description = models.CharField(_("help with the answer"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("service question")
        verbose_name_plural = _("service questions")
        ordering = ["service_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "code"], name="unique_service_question_code"
            )
        ]

    def __str__(self):
        return f"{self.service_type} · {self.code}"

    @property
    def has_choices(self) -> bool:
        return self.datatype in LIST_DATATYPES


class ServiceQuestionChoice(models.Model):
    """One answer a list question offers (an Open311 attribute ``value``)."""

    question = models.ForeignKey(
        ServiceQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    key = models.SlugField(_("key"), max_length=50, help_text=_("Stored in the answers."))
    name = models.CharField(_("answer"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("answer offered")
        verbose_name_plural = _("answers offered")
        ordering = ["question", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="unique_question_choice_key")
        ]

    def __str__(self):
        return self.name
