from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Citizens follow a place, a colonia or a service in a colonia: double opt-in e-mail
    digests (at most one a day), one-click unsubscribe, and Atom feeds."""

    name = "alerts"
    verbose_name = _("Alerts")
