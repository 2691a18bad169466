"""Citizens' documentary review of a contract (issue #18).

A staff member writes a versioned checklist (``ReviewTemplate``: items about the tender, the
contract and its obligations), assigns a ``ContractReview`` of one contract to trained
guardians, who answer each item yes / no / not found in the documents, with a note and a page of
a contract document. The review is submitted, discussed (``ReviewComment``), and published with
its ``Observation``\\s; an observation may become a finding for the directorate (findings) or a
``TransparencyRequest`` for the documents the review did not find.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from territory.models import MunicipalityScoped

from .constants import Answer, ObservationOutcome, RequestStatus, ReviewStatus, Section


class ReviewTemplate(MunicipalityScoped):
    """One version of the review checklist. Versions are never edited once used: editing
    creates the next version, and a review keeps the version it was started with (as
    ``guardians.CardTemplate``)."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("review template")
        verbose_name_plural = _("review templates")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "version"], name="unique_review_template_version"
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(is_current=True),
                name="one_current_review_template",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class ReviewTemplateItem(models.Model):
    template = models.ForeignKey(
        ReviewTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    code = models.SlugField(
        _("code"),
        max_length=50,
        help_text=_("Stable across versions, e.g. bidders-number; results are grouped by it."),
    )
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    document_asked = models.CharField(
        _("document that answers it"),
        max_length=200,
        blank=True,
        help_text=_(
            "What a transparency request asks for when the review does not find it, e.g. "
            "'the bidding rules (bases de licitación)'."
        ),
    )
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="unique_review_item_code")
        ]

    def __str__(self):
        return self.text


class ContractReview(MunicipalityScoped):
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    template = models.ForeignKey(
        ReviewTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contract review")
        verbose_name_plural = _("contract reviews")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self):
        return f"{self.contract} ({self.get_status_display()})"


class ReviewAssignment(models.Model):
    """A guardian assigned to a review. The public sees reviewers' names only where they
    consented."""

    review = models.ForeignKey(
        ContractReview,
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    guardian = models.ForeignKey(
        "guardians.Guardian",
        verbose_name=_("guardian"),
        on_delete=models.PROTECT,
        related_name="contract_reviews",
    )
    name_public = models.BooleanField(
        _("name may be published"),
        default=False,
        help_text=_("The guardian agreed to be named on the published review."),
    )

    class Meta:
        verbose_name = _("assigned guardian")
        verbose_name_plural = _("assigned guardians")
        constraints = [
            models.UniqueConstraint(fields=["review", "guardian"], name="unique_review_guardian")
        ]

    def __str__(self):
        return str(self.guardian)


class ReviewAnswer(models.Model):
    review = models.ForeignKey(
        ContractReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ReviewTemplateItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    document = models.ForeignKey(
        "contracts.ContractDocument",
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    page = models.PositiveIntegerField(
        _("page"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="unique_review_answer")
        ]

    def __str__(self):
        return f"{self.item}: {self.get_answer_display()}"


class ReviewComment(models.Model):
    """The discussion between staff and the reviewers before publication (never public)."""

    review = models.ForeignKey(
        ContractReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


class Observation(models.Model):
    review = models.ForeignKey(
        ContractReview,
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    item = models.ForeignKey(
        ReviewTemplateItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("observation"))
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=ObservationOutcome.choices,
        default=ObservationOutcome.NONE,
    )
    finding = models.ForeignKey(
        "findings.Finding",
        verbose_name=_("finding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["review", "id"]

    def __str__(self):
        return self.text[:60]


class TransparencyRequest(MunicipalityScoped):
    """An access-to-information request (solicitud de acceso a la información) for documents
    of a contract, drafted by the portal, filed by staff on the national transparency
    platform, followed until answered; the document received is attached to the contract."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="transparency_requests",
    )
    observation = models.ForeignKey(
        Observation,
        verbose_name=_("observation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    documents_asked = models.TextField(_("documents asked for"))
    text = models.TextField(_("request text"))
    legal_basis = models.TextField(_("legal basis"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    folio = models.CharField(_("folio"), max_length=40, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    due_on = models.DateField(
        _("answer due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The legal deadline in working days, Mexican holidays excluded."),
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    received_document = models.ForeignKey(
        "contracts.ContractDocument",
        verbose_name=_("document received"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)

    class Meta:
        verbose_name = _("transparency request")
        verbose_name_plural = _("transparency requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "folio"],
                condition=~models.Q(folio=""),
                name="unique_transparency_folio",
            )
        ]

    def __str__(self):
        return self.folio or str(_("Draft request"))
