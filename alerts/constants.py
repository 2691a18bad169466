"""What a citizen can follow (read by the models, selectors and forms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowKind(models.TextChoices):
    SPACE = "space", _("Public space")
    AREA = "area", _("Service area")
    COLONIA = "colonia", _("Colonia")
    COLONIA_SERVICE = "colonia_service", _("A service in a colonia")


#: The salt of the signed confirmation links (core.tokens).
CONFIRM_SALT = "alerts.subscription-confirm"
