from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Citizens follow a place, a colonia or a service in a colonia: double opt-in e-mail
    digests (at most one a day), one-click unsubscribe, and Atom feeds."""

    name = "alerts"
    verbose_name = _("Alerts")
    # The "Follow this place" button and the feed link (territory.panels).
    space_panels = ["alerts.panels.space_follow_panel"]
    area_panels = ["alerts.panels.area_follow_panel"]
    colonia_panels = ["alerts.panels.colonia_follow_panel"]
    # ARCO rights (accounts.privacy.arco): the places an address follows, its digests.
    personal_data_exporters = ["alerts.arco.export"]
    personal_data_anonymisers = ["alerts.arco.anonymise"]
    # The daily digests (findings.schedules): after the night's reconciliation (02:15).
    crontabs = [("alerts: daily digests", "alerts.tasks.send_digests", "30", "7")]
