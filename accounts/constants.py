"""The portal's roles, importable by the models and the selectors alike (no cycle)."""

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
