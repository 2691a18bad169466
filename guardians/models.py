"""Citizen Guardians: who they are, the visits that appoint them, their training and the
surveillance cards (cédulas de vigilancia) they file.

Guardians' personal data (name, e-mail, phone) is never public: ``Guardian`` and
``GuardianApplication`` have no plain ``objects`` manager, only ``private_objects``, so every
caller chooses on purpose; public pages read counts through ``guardians.selectors``.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.validators import validate_pdf
from core.uploads import RandomName
from territory.models import MunicipalityScoped, municipality_field

from .constants import ApplicationStatus, CardReviewStatus, GuardianStatus, VisitStatus
from .querysets import (
    CardQuerySet,
    CardTemplateQuerySet,
    GuardianApplicationQuerySet,
    GuardianQuerySet,
    VisitQuerySet,
)


class Topic(models.TextChoices):
    """The training plan's topics (modules and questions are tagged with one)."""

    INSTITUTIONS = "institutions", _("Municipal institutions")
    SERVICES = "services", _("Public services and their contracts")
    TENDERS = "tenders", _("How tenders work")
    CHANNELS = "channels", _("Channels to complain and report")
    OTHER = "other", _("Other")


# --- Guardians ---------------------------------------------------------------------------------


class GuardianApplication(models.Model):
    """A request to become a guardian, sent from the public "Become a guardian" form."""

    Status = ApplicationStatus

    # Not MunicipalityScoped: personal data, so no plain ``.objects`` beside private_objects.
    municipality = municipality_field()
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30)
    colonia = models.ForeignKey(
        "territory.Colonia", verbose_name=_("colonia"), on_delete=models.PROTECT
    )
    service_types = models.ManyToManyField(
        "territory.ServiceType", verbose_name=_("services to watch"), blank=True
    )
    spaces = models.ManyToManyField(
        "territory.PublicSpace", verbose_name=_("public spaces to watch"), blank=True
    )
    motivation = models.TextField(_("why do you want to be a guardian?"), blank=True)
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    guardian = models.OneToOneField(
        "Guardian",
        verbose_name=_("guardian"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
    )

    private_objects = GuardianApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian application")
        verbose_name_plural = _("guardian applications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self):
        return f"{self.full_name} ({self.get_status_display()})"


class Guardian(models.Model):
    """The guardian profile of a user: where they watch, what, and since which visit."""

    Status = GuardianStatus

    # Not MunicipalityScoped: personal data, so no plain ``.objects`` beside private_objects.
    municipality = municipality_field()
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="guardian_profile",
    )
    colonia = models.ForeignKey(
        "territory.Colonia",
        verbose_name=_("colonia"),
        on_delete=models.PROTECT,
        related_name="guardians",
    )
    spaces = models.ManyToManyField(
        "territory.PublicSpace",
        verbose_name=_("public spaces watched"),
        blank=True,
        related_name="guardians",
        help_text=_("Spaces outside the colonia the guardian also watches."),
    )
    service_types = models.ManyToManyField(
        "territory.ServiceType",
        verbose_name=_("services watched"),
        blank=True,
        related_name="guardians",
        help_text=_("None means every service."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    is_lead = models.BooleanField(_("lead guardian"), default=False)
    appointed_on_visit = models.ForeignKey(
        "Visit",
        verbose_name=_("appointed on visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardians_appointed",
    )
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted"), null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    private_objects = GuardianQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["colonia__name", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["colonia"],
                condition=models.Q(is_lead=True, status="active"),
                name="one_active_lead_guardian_per_colonia",
            )
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


# --- Visits ------------------------------------------------------------------------------------


class Visit(MunicipalityScoped):
    """A Sindicatura visit to a colonia, where people are contacted and guardians appointed.

    A visit is first planned for a date to come: its pre-visit brief is public at an
    unguessable link (``brief_token``) that staff share with the community beforehand; once
    carried out it is recorded as done (people contacted, staff present, photos)."""

    Status = VisitStatus

    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DONE
    )
    # secrets.token_urlsafe(24): 32 characters, set when the visit is planned, never reused.
    brief_token = models.CharField(
        _("public brief token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    public_note = models.TextField(
        _("message for the community"),
        blank=True,
        help_text=_("Shown on the public brief: what people should know or bring."),
    )
    guardians_invited = models.ManyToManyField(
        "Guardian", verbose_name=_("guardians invited"), blank=True, related_name="visits_invited"
    )
    colonia = models.ForeignKey(
        "territory.Colonia",
        verbose_name=_("colonia"),
        on_delete=models.PROTECT,
        related_name="guardian_visits",
    )
    spaces = models.ManyToManyField(
        "territory.PublicSpace", verbose_name=_("spaces visited"), blank=True, related_name="+"
    )
    staff_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff present"), blank=True, related_name="+"
    )
    people_contacted = models.PositiveIntegerField(_("people contacted"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["municipality", "date"]),
            models.Index(fields=["municipality", "status", "date"]),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} · {self.colonia}"

    def get_absolute_url(self):
        return reverse("guardians:visit_detail", kwargs={"pk": self.pk})

    def get_brief_url(self) -> str:
        """The public pre-visit brief's path, "" for a visit that was never planned."""
        if not self.brief_token:
            return ""
        return reverse("guardians:visit_brief", kwargs={"token": self.brief_token})

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED


class VisitPhoto(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="guardians/visits/%Y/")

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return self.image.name


# --- Training ----------------------------------------------------------------------------------


class TrainingModule(MunicipalityScoped):
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["order", "title"]

    def __str__(self):
        return self.title


class TrainingSession(MunicipalityScoped):
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    modules = models.ManyToManyField(
        TrainingModule, verbose_name=_("modules"), blank=True, related_name="sessions"
    )
    material = models.FileField(
        _("material (PDF)"),
        upload_to=RandomName("guardians/training/%Y/"),
        blank=True,
        validators=[validate_pdf],
        help_text=_("For example the guardian manual."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Most people the session can take; empty means no limit."),
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("guardians:training_detail", kwargs={"pk": self.pk})


class TrainingAttendance(models.Model):
    """Who came to a training session: a guardian, or an applicant not yet approved (exactly
    one of the two). Recorded by staff from the session's checklist."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("guardian"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_attendance",
    )
    application = models.ForeignKey(
        GuardianApplication,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_attendance",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["session", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(guardian__isnull=False, application__isnull=True)
                | models.Q(guardian__isnull=True, application__isnull=False),
                name="attendance_guardian_xor_applicant",
            ),
            models.UniqueConstraint(
                fields=["session", "guardian"], name="one_attendance_per_guardian"
            ),
            models.UniqueConstraint(
                fields=["session", "application"], name="one_attendance_per_applicant"
            ),
        ]

    def __str__(self):
        return f"{self.session} · {self.guardian_id or self.application_id}"


class Question(MunicipalityScoped):
    """A multiple-choice question of the bank."""

    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("question bank")
        ordering = ["topic", "id"]

    def __str__(self):
        return self.text


class QuestionChoice(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["question", "id"]

    def __str__(self):
        return self.text


class Evaluation(models.Model):
    """The pre-test or the post-test of a training session."""

    class Kind(models.TextChoices):
        PRE = "pre", _("Pre-test")
        POST = "post", _("Post-test")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    questions = models.ManyToManyField(Question, verbose_name=_("questions"), related_name="+")

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["session", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="one_evaluation_per_kind")
        ]

    def __str__(self):
        return f"{self.session} · {self.get_kind_display()}"


class EvaluationAttempt(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="attempts"
    )
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("guardian"), on_delete=models.CASCADE, related_name="attempts"
    )
    correct = models.PositiveSmallIntegerField(_("correct answers"))
    total = models.PositiveSmallIntegerField(_("questions"))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation attempt")
        verbose_name_plural = _("evaluation attempts")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "guardian"], name="one_attempt_per_guardian"
            )
        ]

    def __str__(self):
        return f"{self.evaluation}: {self.correct}/{self.total}"

    @property
    def score_percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(
        EvaluationAttempt,
        verbose_name=_("attempt"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.ForeignKey(
        QuestionChoice,
        verbose_name=_("answer"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    is_correct = models.BooleanField(_("correct"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.choice_id}"


# --- Surveillance cards ------------------------------------------------------------------------


class CardTemplate(MunicipalityScoped):
    """One version of the checklist for a service. Versions are never edited once saved:
    editing creates the next version, and a card keeps the version it was filled with."""

    service_type = models.ForeignKey(
        "territory.ServiceType",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="card_templates",
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CardTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("card template")
        verbose_name_plural = _("card templates")
        ordering = ["service_type__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "version"], name="unique_card_template_version"
            ),
            models.UniqueConstraint(
                fields=["service_type"],
                condition=models.Q(is_current=True),
                name="one_current_card_template_per_service",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class CardTemplateItem(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no")
        RATING = "rating", _("Rating 1–5")
        COUNT = "count", _("Count")
        CHOICE = "choice", _("One choice")
        MULTI_CHOICE = "multi_choice", _("Several choices")
        TEXT = "text", _("Free text")
        PHOTO = "photo", _("Photo")

    template = models.ForeignKey(
        CardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(
        _("code"),
        max_length=50,
        help_text=_("Stable across versions, e.g. grass-cut; results are grouped by it."),
    )
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_("For choices: one per line, as value|label (the label is optional)."),
    )
    failure_values = models.TextField(
        _("answers that mean a failure"),
        blank=True,
        help_text=_("For yes/no and choices: one value per line (yes, no, or a choice value)."),
    )
    failure_min = models.IntegerField(
        _("failure below"),
        null=True,
        blank=True,
        help_text=_(
            "For ratings: a rating below this is a failure. For counts out of a total: a share "
            "(%) below this is a failure."
        ),
    )
    failure_max = models.IntegerField(
        _("failure above"),
        null=True,
        blank=True,
        help_text=_("For counts: a number above this is a failure (e.g. missed pickups > 0)."),
    )
    has_total = models.BooleanField(
        _("counted out of a total"),
        default=False,
        help_text=_("For counts such as lamps working out of lamps present."),
    )
    total_label = models.CharField(_("label of the total"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("card item")
        verbose_name_plural = _("card items")
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="unique_item_code")
        ]

    def __str__(self):
        return self.text

    @property
    def choice_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.choices.splitlines():
            if line.strip():
                value, _sep, label = line.partition("|")
                pairs.append((value.strip(), (label or value).strip()))
        return pairs

    @property
    def failure_value_set(self) -> set[str]:
        return {line.strip() for line in self.failure_values.splitlines() if line.strip()}


class Card(MunicipalityScoped):
    """A filled surveillance card. The guardian who filed it is never shown publicly."""

    ReviewStatus = CardReviewStatus

    client_id = models.UUIDField(
        _("client id"),
        unique=True,
        default=uuid.uuid4,
        help_text=_("Generated by the phone, so a retried submission never files two cards."),
    )
    template = models.ForeignKey(
        CardTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="cards"
    )
    service_type = models.ForeignKey(
        "territory.ServiceType", verbose_name=_("service"), on_delete=models.PROTECT
    )
    space = models.ForeignKey(
        "territory.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.PROTECT,
        related_name="guardian_cards",
    )
    # Stored (not derived through the space) because cards are counted per colonia.
    colonia = models.ForeignKey(
        "territory.Colonia",
        verbose_name=_("colonia"),
        on_delete=models.PROTECT,
        related_name="guardian_cards",
    )
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="cards"
    )
    observed_on = models.DateField(_("date observed"))
    failure_count = models.PositiveSmallIntegerField(_("failing items"), default=0)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    review_status = models.CharField(
        _("review"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    # Set in the transaction that e-mails the staff about a card with failures, never before:
    # until then the card is its own outbox row (guardians.services.card_notify_staff).
    staff_notified_at = models.DateTimeField(_("staff notified"), null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("surveillance card")
        verbose_name_plural = _("surveillance cards")
        ordering = ["-observed_on", "-id"]
        indexes = [
            models.Index(fields=["municipality", "review_status"]),
            models.Index(fields=["colonia", "observed_on"]),
            models.Index(fields=["space", "observed_on"]),
            # The sweeper's query (CardQuerySet.staff_email_due): only the cards still to tell.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(failure_count__gt=0, staff_notified_at__isnull=True),
                name="card_staff_email_due",
            ),
            # The workspace's "cards to review" queue: count and oldest from the index alone.
            models.Index(
                fields=["municipality", "submitted_at"],
                condition=models.Q(review_status=CardReviewStatus.PENDING),
                name="card_pending_review_idx",
            ),
        ]

    def __str__(self):
        return f"{self.space} · {self.observed_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("guardians:card_detail", kwargs={"pk": self.pk})


class CardAnswer(models.Model):
    """One answer of a card, one row per item (the reconciliation reads these rows)."""

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        CardTemplateItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    value = models.TextField(_("answer"), blank=True)
    number = models.IntegerField(_("number"), null=True, blank=True)
    total = models.IntegerField(_("out of"), null=True, blank=True)
    is_failure = models.BooleanField(_("failure"), default=False)

    class Meta:
        verbose_name = _("card answer")
        verbose_name_plural = _("card answers")
        ordering = ["card", "item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["card", "item"], name="one_answer_per_item")]

    def __str__(self):
        return f"{self.item}: {self.value}"


class CardPhoto(models.Model):
    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="photos"
    )
    item = models.ForeignKey(
        CardTemplateItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    image = models.ImageField(_("photo"), upload_to="guardians/cards/%Y/%m/")

    class Meta:
        verbose_name = _("card photo")
        verbose_name_plural = _("card photos")

    def __str__(self):
        return self.image.name
