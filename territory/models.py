from django.contrib.gis.db import models
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .querysets import (
    ColoniaQuerySet,
    MunicipalityScopedQuerySet,
    PublicSpaceQuerySet,
    ServiceAreaQuerySet,
)

inegi_code_validator = RegexValidator(
    r"^\d{5}$", _("The INEGI code has 5 digits: 2 for the state and 3 for the municipality.")
)


class Municipality(models.Model):
    """One municipality served by the deployment, selected by the request's host name."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), unique=True)
    state = models.CharField(_("state"), max_length=100)
    inegi_code = models.CharField(
        _("INEGI code"), max_length=5, unique=True, validators=[inegi_code_validator]
    )
    hosts = models.CharField(
        _("host names"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated host names that select this municipality."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Serves any host that no municipality names.")
    )
    center = models.PointField(_("map centre"), srid=4326)
    zoom = models.PositiveSmallIntegerField(_("map zoom"), default=12)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_rural = models.BooleanField(_("rural municipality"), default=False)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_municipality",
            )
        ]

    def __str__(self):
        return f"{self.name}, {self.state}"

    @property
    def host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.hosts.split(",") if h.strip()]

    def absolute_url(self, path: str) -> str:
        """``path`` on the municipality's first host name (e-mails need absolute links), else
        the path alone."""
        hosts = self.host_list
        return (f"https://{hosts[0]}" if hosts else "") + path


def municipality_field(**options) -> models.ForeignKey:
    """The foreign key to the owning municipality, as every scoped model declares it. For a
    model that cannot take :class:`MunicipalityScoped` (one that must have no plain
    ``.objects``) or that needs an option (``db_index=False`` under composite indexes)."""
    return models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, **options
    )


class MunicipalityScoped(models.Model):
    """Every record belongs to one municipality: the one mixin for it, with the one queryset
    (``for_municipality``) that ``core.admin_base.MunicipalityScopedAdmin`` also filters by."""

    municipality = municipality_field()

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class ServiceType(MunicipalityScoped):
    """A public service watched by citizens: green-space maintenance, garbage, lighting..."""

    class Category(models.TextChoices):
        GREEN_SPACES = "green_spaces", _("Green-space maintenance")
        GARBAGE = "garbage", _("Garbage collection")
        LIGHTING = "lighting", _("Street lighting")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    color = models.CharField(
        _("map colour"),
        max_length=7,
        default="#2e7d32",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour such as #2e7d32."))],
    )

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="unique_service_type_code"
            )
        ]

    def __str__(self):
        return self.name


class Directorate(MunicipalityScoped):
    """A municipal directorate (dirección) in charge of one or more services."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("contact e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    services = models.ManyToManyField(
        ServiceType, verbose_name=_("services in charge"), related_name="directorates", blank=True
    )

    class Meta:
        verbose_name = _("directorate")
        verbose_name_plural = _("directorates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_directorate")
        ]

    def __str__(self):
        return self.name


class Colonia(MunicipalityScoped):
    """A colonia, fraccionamiento, rural locality or ejido."""

    class Kind(models.TextChoices):
        COLONIA = "colonia", _("Colonia")
        FRACCIONAMIENTO = "fraccionamiento", _("Housing estate (fraccionamiento)")
        LOCALITY = "localidad", _("Rural locality")
        EJIDO = "ejido", _("Ejido")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COLONIA)
    is_rural = models.BooleanField(_("rural"), default=False)
    inegi_locality_code = models.CharField(_("INEGI locality code"), max_length=9, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    geometry = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    location = models.PointField(
        _("location"),
        srid=4326,
        null=True,
        blank=True,
        help_text=_("A point for localities with no drawn boundary."),
    )

    objects = ColoniaQuerySet.as_manager()

    class Meta:
        verbose_name = _("colonia or locality")
        verbose_name_plural = _("colonias and localities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_colonia_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territory:colonia_detail", kwargs={"pk": self.pk})


class PublicSpace(MunicipalityScoped):
    """A park, garden, median or other public space whose upkeep citizens can check."""

    class Kind(models.TextChoices):
        PARK = "park", _("Park")
        GARDEN = "garden", _("Garden")
        MEDIAN = "median", _("Median strip")
        TRIANGLE = "triangle", _("Traffic island")
        SPORTS = "sports", _("Sports field")
        PLAZA = "plaza", _("Plaza")
        OTHER = "other", _("Other green space")

    code = models.CharField(_("code"), max_length=40, help_text=_("For example AC-Z11-0001."))
    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    geometry = models.MultiPolygonField(_("boundary"), srid=4326)
    area_m2 = models.FloatField(_("area (m²)"), default=0, editable=False)
    centroid = models.PointField(_("centroid"), srid=4326, editable=False)
    colonia = models.ForeignKey(
        Colonia,
        verbose_name=_("colonia"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spaces",
        editable=False,
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("directorate in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spaces",
        help_text=_("Responsible when no contract covers the space."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublicSpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("public space")
        verbose_name_plural = _("public spaces")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unique_space_code")
        ]
        indexes = [models.Index(fields=["municipality", "name"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("territory:space_detail", kwargs={"code": self.code})


class ServiceArea(MunicipalityScoped):
    """A polygon served by a garbage-collection or street-lighting contract."""

    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=300)
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="areas"
    )
    colonias_text = models.CharField(
        _("colonias named"),
        max_length=500,
        blank=True,
        help_text=_("The colonias as the source file names them."),
    )
    geometry = models.MultiPolygonField(_("boundary"), srid=4326)
    area_m2 = models.FloatField(_("area (m²)"), default=0, editable=False)
    centroid = models.PointField(_("centroid"), srid=4326, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ServiceAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "service_type", "code"], name="unique_service_area_code"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("territory:area_detail", kwargs={"pk": self.pk})
