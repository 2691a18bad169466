"""The municipality's own record of its services (work logs, known issues, schedules), the
findings that reconciling it with the guardians' cards raises, and the outbox that notifies them.

Reconciliation writes these tables set-based (``findings.reconcile``): every natural key below is
a database constraint, so running it twice, or twice at once, adds nothing the second time.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.uploads import RandomName
from territory.models import MunicipalityScoped, municipality_field

from .constants import AWAITING_FIX, UNANSWERED, FindingStatus, OutboxStatus
from .querysets import FindingQuerySet, OutboxQuerySet


class ReportedBy(models.TextChoices):
    DIRECTORATE = "directorate", _("Directorate")
    CONTRACTOR = "contractor", _("Contractor")


class Source(models.TextChoices):
    ADMIN = "admin", _("Administration")
    CSV = "csv", _("CSV import")
    API = "api", _("API")


# --- API clients --------------------------------------------------------------------------------


class ApiClient(MunicipalityScoped):
    """A contractor or directorate system allowed to post service status through the API.

    Only a SHA-256 hash of its token is stored: the token is shown once, when it is issued.
    """

    name = models.CharField(_("name"), max_length=120)
    reported_by = models.CharField(
        _("reports as"), max_length=12, choices=ReportedBy.choices, default=ReportedBy.CONTRACTOR
    )
    company = models.ForeignKey(
        "contracts.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    directorate = models.ForeignKey(
        "territory.Directorate",
        verbose_name=_("directorate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    token_prefix = models.CharField(_("token begins with"), max_length=8, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("service status API client")
        verbose_name_plural = _("service status API clients")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    # DRF asks the authenticated "user" this; a client system is authenticated by its token.
    is_authenticated = True


# --- Service status -----------------------------------------------------------------------------


class _Located(MunicipalityScoped):
    """Work on one public space or one service area, for one service."""

    service_type = models.ForeignKey(
        "territory.ServiceType", verbose_name=_("service"), on_delete=models.PROTECT
    )
    space = models.ForeignKey(
        "territory.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service_area = models.ForeignKey(
        "territory.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    item_code = models.SlugField(
        _("card item"),
        max_length=50,
        blank=True,
        help_text=_(
            "The card item this is about, e.g. grass-cut; empty means every item of the service."
        ),
    )
    reported_by = models.CharField(
        _("reported by"), max_length=12, choices=ReportedBy.choices, default=ReportedBy.DIRECTORATE
    )
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.ADMIN, editable=False
    )
    api_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    external_id = models.CharField(
        _("external id"),
        max_length=80,
        blank=True,
        help_text=_("The id in the system that sent it; a second post with it is ignored."),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def place(self):
        return self.space or self.service_area


class WorkLog(_Located):
    """Work done: what the directorate or the contractor says was done, where and when."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_logs",
    )
    done_on = models.DateField(_("done on"))
    description = models.CharField(_("what was done"), max_length=500)

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-done_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(space__isnull=False) | models.Q(service_area__isnull=False),
                name="work_log_has_place",
            ),
            # External ids are the sending system's own: each client's, and the imports'.
            models.UniqueConstraint(
                fields=["api_client", "external_id"],
                condition=~models.Q(external_id="") & models.Q(api_client__isnull=False),
                name="unique_work_log_external_id_per_client",
            ),
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~models.Q(external_id="")
                & models.Q(api_client__isnull=True)
                & ~models.Q(source="api"),
                name="unique_work_log_external_id_outside_api",
            ),
        ]
        indexes = [
            models.Index(fields=["space", "service_type", "done_on"]),
            models.Index(fields=["service_area", "service_type", "done_on"]),
            models.Index(fields=["contract", "done_on"]),
            # A directorate's first work log (``reconcile.directorates_checked_since``).
            models.Index(fields=["service_type", "done_on"]),
        ]

    def __str__(self):
        return f"{self.done_on:%Y-%m-%d} · {self.place} · {self.description[:40]}"


class KnownIssue(_Located):
    """A problem the municipality already knows about (an open work order)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    description = models.CharField(_("what"), max_length=500)
    since = models.DateField(_("since"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("known issue")
        verbose_name_plural = _("known issues (work orders)")
        ordering = ["-since", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(space__isnull=False) | models.Q(service_area__isnull=False),
                name="known_issue_has_place",
            ),
            # External ids are the sending system's own: each client's, and the imports'.
            models.UniqueConstraint(
                fields=["api_client", "external_id"],
                condition=~models.Q(external_id="") & models.Q(api_client__isnull=False),
                name="unique_known_issue_external_id_per_client",
            ),
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~models.Q(external_id="")
                & models.Q(api_client__isnull=True)
                & ~models.Q(source="api"),
                name="unique_known_issue_external_id_outside_api",
            ),
        ]
        indexes = [
            models.Index(fields=["space", "service_type", "status"]),
            models.Index(fields=["service_area", "service_type", "status"]),
        ]

    def __str__(self):
        return f"{self.place} · {self.description[:60]}"


class ObligationSchedule(models.Model):
    """How a contract obligation turns into dates: every N days from the contract's start
    (the obligation's own ``frequency_days``) or on given weekdays (garbage collection), and
    which card items it answers for."""

    obligation = models.OneToOneField(
        "contracts.Obligation",
        verbose_name=_("obligation"),
        on_delete=models.CASCADE,
        related_name="schedule",
    )
    weekdays = models.CharField(
        _("weekdays"),
        max_length=20,
        blank=True,
        help_text=_("For collection days: numbers 0 (Monday) to 6 (Sunday), comma separated."),
    )
    item_codes = models.CharField(
        _("card items"),
        max_length=300,
        blank=True,
        help_text=_("Codes of the card items this obligation answers for, comma separated."),
    )

    class Meta:
        verbose_name = _("obligation schedule")
        verbose_name_plural = _("obligation schedules")

    def __str__(self):
        return str(self.obligation)

    @property
    def weekday_list(self) -> list[int]:
        return sorted(
            {int(d) for d in self.weekdays.split(",") if d.strip().isdigit()} & set(range(7))
        )


# --- Directorate settings -----------------------------------------------------------------------


class DirectorateSettings(models.Model):
    directorate = models.OneToOneField(
        "territory.Directorate",
        verbose_name=_("directorate"),
        on_delete=models.CASCADE,
        related_name="findings_settings",
    )
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("One e-mail a day listing the new findings instead of one per finding."),
    )
    work_logs_since = models.DateField(
        _("work logs reported since"),
        null=True,
        blank=True,
        help_text=_(
            "The day from which every job of this directorate's contracts is recorded as a work "
            "log (API, CSV import or admin). Obligations are checked for overdue work only from "
            "then on, or from its first work log if that is earlier; without either they are "
            "not checked."
        ),
    )

    class Meta:
        verbose_name = _("directorate notification settings")
        verbose_name_plural = _("directorate notification settings")

    def __str__(self):
        return str(self.directorate)


# --- Findings -----------------------------------------------------------------------------------


class Finding(MunicipalityScoped):
    class Kind(models.TextChoices):
        UNREPORTED = "unreported", _("Unreported failure")
        CONTRADICTION = "contradiction", _("Contradiction with a work log")
        OVERDUE = "overdue", _("Obligation overdue")
        CONTRACT_REVIEW = "contract_review", _("Observation of a citizens' contract review")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    Status = FindingStatus
    UNANSWERED = UNANSWERED

    # MunicipalityScoped's field, unindexed: the composite indexes below start with it.
    municipality = municipality_field(db_index=False)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    service_type = models.ForeignKey(
        "territory.ServiceType", verbose_name=_("service"), on_delete=models.PROTECT
    )
    space = models.ForeignKey(
        "territory.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    colonia = models.ForeignKey(
        "territory.Colonia",
        verbose_name=_("colonia"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        db_constraint=False,  # a copy of the space's, kept for filtering
    )
    item_code = models.CharField(_("card item"), max_length=50, blank=True)
    item_text = models.CharField(_("question"), max_length=300, blank=True)
    directorate = models.ForeignKey(
        "territory.Directorate",
        verbose_name=_("directorate in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        db_index=False,
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        db_index=False,
    )
    company = models.ForeignKey(
        "contracts.Company",
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        db_index=False,
        db_constraint=False,  # a copy of the contract's
    )
    obligation = models.ForeignKey(
        "contracts.Obligation",
        verbose_name=_("obligation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        db_index=False,
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    response_hours = models.PositiveIntegerField(_("response time (hours)"))
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("raised"))
    updated_at = models.DateTimeField(_("updated"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the Sindicatura"), null=True, blank=True)
    cycle = models.PositiveSmallIntegerField(
        _("times reopened"), default=0, help_text=_("Each reopening asks for a new check.")
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The natural keys: one live finding per failing item of a space's service, and one
            # per obligation and period. A verified finding frees the key for a new failure.
            models.UniqueConstraint(
                fields=["space", "service_type", "item_code"],
                condition=models.Q(obligation__isnull=True) & ~models.Q(status="verified"),
                name="one_live_finding_per_space_item",
            ),
            models.UniqueConstraint(
                fields=["obligation", "period_start"],
                condition=models.Q(obligation__isnull=False),
                name="one_finding_per_obligation_period",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "created_at"]),
            models.Index(fields=["directorate", "status"]),
            models.Index(fields=["company", "status"]),
            models.Index(fields=["contract", "kind"]),
            # A run finds the findings it raised by its timestamp (to write their outbox rows).
            models.Index(fields=["created_at"]),
            # The workspace's findings queues (``findings.workspace.finding_figures``): those
            # waiting for a fix, per directorate, with what the figures read, from the index.
            models.Index(
                fields=[
                    "municipality",
                    "directorate",
                    "status",
                    "created_at",
                    "due_at",
                    "escalated_at",
                ],
                condition=models.Q(status__in=AWAITING_FIX),
                name="finding_awaiting_fix_idx",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} · {self.space or self.obligation}"

    def get_absolute_url(self):
        return reverse("findings:detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status in self.UNANSWERED + (self.Status.ACKNOWLEDGED,) and (
            self.due_at < timezone.now()
        )


class ReconciledCard(models.Model):
    """A card the reconciliation has handled (each card once: cards are not edited after they
    are filed). Its failing answers were linked to a known issue, or are evidence of the live
    finding of their (space, service, card item) at ``reconciled_at``.

    The evidence itself is derived on read (``selectors.finding_evidence``), not stored: a
    finding's evidence is the failing answers of its natural key on cards reconciled between
    its raising and its verification, less those linked to a known issue. One narrow row per
    card instead of one link per failing answer keeps the nightly run's writes small.
    """

    # No database-level foreign key (Django still cascades deletes): the reconciliation writes
    # these rows set-based from cards it has just read, and a foreign key would lock
    # (FOR KEY SHARE) every card at commit.
    card = models.OneToOneField(
        "guardians.Card",
        verbose_name=_("card"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="findings_reconciled",
        db_constraint=False,
    )
    reconciled_at = models.DateTimeField(_("reconciled"))

    class Meta:
        verbose_name = _("reconciled card")
        verbose_name_plural = _("reconciled cards")

    def __str__(self):
        return f"{self.card_id} @ {self.reconciled_at:%Y-%m-%d %H:%M}"


class KnownIssueAnswer(models.Model):
    """A failing card answer the municipality already knew of: linked, no finding raised."""

    issue = models.ForeignKey(
        KnownIssue, verbose_name=_("known issue"), on_delete=models.CASCADE, related_name="answers"
    )
    answer = models.OneToOneField(
        "guardians.CardAnswer",
        verbose_name=_("card answer"),
        on_delete=models.CASCADE,
        related_name="known_issue_link",
        db_constraint=False,  # see ReconciledCard.card
    )

    class Meta:
        verbose_name = _("card answer on a known issue")
        verbose_name_plural = _("card answers on known issues")

    def __str__(self):
        return f"{self.issue_id} ← {self.answer_id}"


class FindingEvent(models.Model):
    """One step of a finding's history."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=Finding.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=Finding.Status.choices)
    note = models.TextField(_("note"), blank=True)
    attachment = models.FileField(
        _("evidence"), upload_to=RandomName("findings/%Y/%m/"), blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding event")
        verbose_name_plural = _("finding history")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.finding_id}: {self.from_status} → {self.to_status}"


# --- Notifications ------------------------------------------------------------------------------


class Outbox(MunicipalityScoped):
    """A notification to deliver, written in the transaction that caused it (transactional
    outbox). Delivery claims the row, sends, and marks it sent in one transaction."""

    class Event(models.TextChoices):
        FINDING_RAISED = "raised", _("New finding")
        CHECK_REQUESTED = "check", _("Check requested from the lead guardian")
        ESCALATED = "escalated", _("Escalated to the Sindicatura")

    Status = OutboxStatus

    # MunicipalityScoped's field, unindexed: the composite indexes below start with it.
    municipality = municipality_field(db_index=False)
    event = models.CharField(_("event"), max_length=12, choices=Event.choices)
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        related_name="outbox",
        db_index=False,  # the unique (finding, event, cycle) index starts with it
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=0)
    directorate = models.ForeignKey(
        "territory.Directorate",
        verbose_name=_("directorate"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a copy of the finding's
    )
    digest = models.BooleanField(_("in the daily digest"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification (outbox)")
        verbose_name_plural = _("notifications (outbox)")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "event", "cycle"], name="one_notification_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "digest", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_event_display()} · {self.finding_id} ({self.status})"


class Message(models.Model):
    """An in-app inbox message."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="finding_messages",
    )
    outbox = models.ForeignKey(
        Outbox, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="messages"
    )
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["outbox", "user"], name="one_message_per_user")
        ]

    def __str__(self):
        return self.subject
