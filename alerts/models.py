"""Subscriptions to a place's changes, and the digests sent to each address.

A :class:`Subscription` is created only when its owner confirms it (double opt-in, see
``alerts.services``): there is no unconfirmed row. The e-mail is personal data: no public page,
feed or export reads this table.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from territory.models import MunicipalityScoped

from .constants import FollowKind


class Subscription(MunicipalityScoped):
    """A confirmed address that gets the daily digest of one place's changes."""

    Kind = FollowKind

    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, blank=True)
    kind = models.CharField(_("follows"), max_length=20, choices=Kind.choices)
    space = models.ForeignKey(
        "territory.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    area = models.ForeignKey(
        "territory.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    colonia = models.ForeignKey(
        "territory.Colonia",
        verbose_name=_("colonia"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    service_type = models.ForeignKey(
        "territory.ServiceType",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    token = models.UUIDField(
        _("unsubscribe token"), default=uuid.uuid4, unique=True, editable=False
    )
    confirmed_at = models.DateTimeField(_("confirmed (privacy notice accepted)"))

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "space"],
                condition=models.Q(kind="space"),
                name="unique_alert_space",
            ),
            models.UniqueConstraint(
                fields=["email", "area"], condition=models.Q(kind="area"), name="unique_alert_area"
            ),
            models.UniqueConstraint(
                fields=["email", "colonia"],
                condition=models.Q(kind="colonia"),
                name="unique_alert_colonia",
            ),
            models.UniqueConstraint(
                fields=["email", "colonia", "service_type"],
                condition=models.Q(kind="colonia_service"),
                name="unique_alert_colonia_service",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="space", space__isnull=False)
                    | models.Q(kind="area", area__isnull=False)
                    | models.Q(kind="colonia", colonia__isnull=False, service_type__isnull=True)
                    | models.Q(
                        kind="colonia_service", colonia__isnull=False, service_type__isnull=False
                    )
                ),
                name="alert_names_its_place",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "email"])]

    def __str__(self):
        # No e-mail here: __str__ ends up in logs and admin messages.
        return f"{self.get_kind_display()}: subscription {self.pk}"


class DigestDelivery(MunicipalityScoped):
    """The digest sent to one address on one day: at most one a day (the unique constraint),
    written in the transaction that sends it, so that a failed send leaves no row and the next
    run covers the same changes (nothing lost), and a second run finds the row (never doubled).
    ``period_end`` is where the next digest starts."""

    email = models.EmailField(_("e-mail"))
    day = models.DateField(_("day"))
    period_start = models.DateTimeField(_("changes from"))
    period_end = models.DateTimeField(_("changes to"))
    items = models.PositiveIntegerField(_("changes listed"), default=0)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "email", "day"], name="one_alert_digest_a_day"
            )
        ]

    def __str__(self):
        return f"digest {self.pk} · {self.day:%Y-%m-%d}"
