from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")
    contract_panels = ["audit.panels.contract_history_panel"]
    # Daily jobs (findings.schedules): (name, task, minute, hour). The signed heads are logged
    # just after midnight, so each day's log holds the chain's head at its start.
    crontabs = [("audit: daily signed heads", "audit.tasks.log_heads", "5", "0")]

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check
