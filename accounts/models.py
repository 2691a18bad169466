from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of the portal; each is a Django group of the same name."""

    GUARDIAN = "guardian", _("Guardian")
    LEAD_GUARDIAN = "lead_guardian", _("Lead guardian")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    CIVIL_EMPLOYEE = "civil_employee", _("Civil employee")
    DIRECTORATE_STAFF = "directorate_staff", _("Directorate staff")
    MUNICIPAL_STAFF = "municipal_staff", _("Municipal staff (Sindicatura)")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A person who logs in. Staff of one municipality only ever see that municipality's data.

    A superuser with no municipality administers the whole deployment (e.g. a state
    comptroller running the portal for many municipalities).
    """

    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    directorate = models.ForeignKey(
        "territory.Directorate",
        verbose_name=_("directorate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("For directorate staff: the directorate whose findings they answer."),
    )
    is_demo = models.BooleanField(
        _("demo login"),
        default=False,
        help_text=_("Created by seed_demo; refused unless DEBUG or ALLOW_DEMO_USERS."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()

    @property
    def is_deployment_admin(self) -> bool:
        """A superuser bound to no municipality sees every municipality."""
        return self.is_superuser and self.municipality_id is None
