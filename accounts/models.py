from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import Role

__all__ = ["Role", "User"]


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

    # The staff questions, asked of ``request.user`` by code below accounts in the layers
    # (core's admin base): the answers live in accounts.selectors, the one home of the rule.

    @property
    def is_deployment_admin(self) -> bool:
        """An active superuser bound to no municipality sees every municipality."""
        from . import selectors

        return selectors.is_deployment_admin(self)

    def staff_role_for(self, municipality) -> Role | None:
        """The user's staff role in ``municipality`` (a Municipality or its id), or None."""
        from . import selectors

        return selectors.staff_role_for(self, municipality)

    def is_municipal_staff(self, municipality) -> bool:
        """The Sindicatura or an administrator of ``municipality``: they see all its records."""
        from . import selectors

        return selectors.is_municipal_staff(self, municipality)

    def staff_directorate_id(self, municipality) -> int | None:
        """The directorate a directorate-staff user of ``municipality`` answers for, else None."""
        from . import selectors

        return selectors.staff_directorate_id(self, municipality)


class ArcoRequest(models.Model):
    """A person exercising their ARCO rights (access, rectification, cancellation, opposition)
    over their personal data. Staff handle it in the admin; anonymising keeps the public record
    (cards, complaints, needs, allocations) and replaces the person's data with neutral values.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        RECTIFICATION = "rectification", _("Rectification")
        CANCELLATION = "cancellation", _("Cancellation")
        OPPOSITION = "opposition", _("Opposition")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arco_requests",
    )
    complaint_code = models.CharField(
        _("complaint tracking code"),
        max_length=12,
        blank=True,
        help_text=_("For people who reported a complaint without an account."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    kind = models.CharField(_("right"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.JSONField(_("what was done"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ARCO request")
        verbose_name_plural = _("ARCO requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        # No name or e-mail: __str__ ends up in logs and admin messages.
        return f"{self.get_kind_display()} #{self.pk}"


class TwoFactorEnrolmentCode(models.Model):
    """A one-time code an administrator gives a person so they can set up their authenticator
    app: a stolen password alone cannot enrol a device. Stored hashed; shown once."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="two_factor_enrolment_codes",
    )
    code_hash = models.CharField(_("code (hashed)"), max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor enrolment code")
        verbose_name_plural = _("two-factor enrolment codes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} #{self.pk}"
