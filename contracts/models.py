import datetime
from decimal import Decimal

from django.contrib.gis.db import models
from django.core.validators import MinValueValidator, RegexValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import RandomName
from territory.models import MunicipalityScoped

from .querysets import CompanyQuerySet, ContractQuerySet
from .validators import validate_pdf

# Companies: 3 letters (Ñ and & allowed), date YYMMDD, 3 homoclave characters.
# Persons have 4 letters.
RFC_PATTERN = r"^[A-ZÑ&]{3,4}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[A-Z\d]{2}[A\d]$"
rfc_validator = RegexValidator(
    RFC_PATTERN,
    _(
        "Enter a valid RFC: 3 letters for a company (4 for a person), the date as YYMMDD "
        "and 3 characters of homoclave, for example SCH210101AB1."
    ),
)

VAT_RATE = Decimal("0.16")


class Company(MunicipalityScoped):
    """A company that holds service contracts with the municipality."""

    legal_name = models.CharField(_("legal name"), max_length=250)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True, validators=[rfc_validator])
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    # The contact person, e-mail and phone are often a person's own: not published unless the
    # company agreed (see contracts.selectors.company_public_contact).
    contact_public = models.BooleanField(
        _("contact details are public"),
        default=False,
        help_text=_(
            "Show the contact person, e-mail and phone on the public company page and in the "
            "open data. Staff always see them."
        ),
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "legal_name"], name="unique_company_name"
            ),
            models.UniqueConstraint(
                fields=["municipality", "rfc"],
                condition=~models.Q(rfc=""),
                name="unique_company_rfc",
            ),
        ]

    def __str__(self):
        return self.legal_name

    def get_absolute_url(self):
        return reverse("contracts:company_detail", kwargs={"pk": self.pk})


class Contract(MunicipalityScoped):
    """A service contract (or one lot/partida of a tender) and what it covers."""

    class ProcurementMethod(models.TextChoices):
        OPEN = "open", _("Public tender (licitación pública)")
        SELECTIVE = "selective", _("Restricted invitation (invitación a cuando menos tres)")
        DIRECT = "direct", _("Direct award (adjudicación directa)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Not started")
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")

    number = models.CharField(_("contract number"), max_length=80)
    lot = models.CharField(_("lot (partida)"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="contracts"
    )
    service_type = models.ForeignKey(
        "territory.ServiceType",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    directorate = models.ForeignKey(
        "territory.Directorate",
        verbose_name=_("directorate in charge"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    procurement_method = models.CharField(
        _("procurement method"),
        max_length=20,
        choices=ProcurementMethod.choices,
        default=ProcurementMethod.OPEN,
    )
    monthly_amount = models.DecimalField(
        _("monthly amount (MXN)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    total_amount = models.DecimalField(
        _("total amount (MXN)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    amounts_include_vat = models.BooleanField(_("amounts include VAT (IVA)"), default=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    description = models.TextField(_("description"), blank=True)
    spaces = models.ManyToManyField(
        "territory.PublicSpace",
        verbose_name=_("covered spaces"),
        related_name="contracts",
        blank=True,
    )
    service_areas = models.ManyToManyField(
        "territory.ServiceArea",
        verbose_name=_("covered service areas"),
        related_name="contracts",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], name="unique_contract_number"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.company}" if self.company_id else self.number

    def get_absolute_url(self):
        return reverse("contracts:contract_detail", kwargs={"pk": self.pk})

    def status_on(self, day: datetime.date) -> str:
        if day < self.start_date:
            return self.Status.PLANNED
        if day > self.end_date:
            return self.Status.ENDED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def monthly_amount_with_vat(self) -> Decimal | None:
        if self.monthly_amount is None:
            return None
        if self.amounts_include_vat:
            return self.monthly_amount
        return (self.monthly_amount * (1 + VAT_RATE)).quantize(Decimal("0.01"))

    @property
    def total_amount_with_vat(self) -> Decimal | None:
        if self.total_amount is None:
            return None
        if self.amounts_include_vat:
            return self.total_amount
        return (self.total_amount * (1 + VAT_RATE)).quantize(Decimal("0.01"))


class Obligation(models.Model):
    """One task the contract obliges: how often it is due, or how fast it must be answered."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="obligations"
    )
    task = models.CharField(_("task"), max_length=250)
    frequency_days = models.PositiveIntegerField(
        _("every (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    response_time_hours = models.PositiveIntegerField(
        _("response time (hours)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["contract", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency_days__isnull=False)
                | models.Q(response_time_hours__isnull=False),
                name="obligation_has_frequency_or_response_time",
            )
        ]

    def __str__(self):
        return self.task


class ContractDocument(models.Model):
    """A PDF of the contract, its annexes or its tender."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file (PDF)"),
        upload_to=RandomName("contracts/%Y/"),
        validators=[validate_pdf],
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title"]

    def __str__(self):
        return self.title
