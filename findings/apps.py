from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = _("Findings")
    # Its figures in the workspace's statistics (workspace.statistics.registry).
    workspace_statistics = ["findings.statistics.source"]
    demo_seeders = ["findings.demo.seed_findings"]
    personal_data_exporters = ["findings.arco.export"]  # ARCO rights, see accounts.privacy.arco
    personal_data_anonymisers = ["findings.arco.anonymise"]
    contract_panels = ["findings.panels.contract_compliance_panel"]
    space_panels = ["findings.panels.space_findings_panel"]  # territory.panels: counts only
    colonia_panels = ["findings.panels.colonia_findings_panel"]
    # workspace.registry: open, overdue and escalated findings; every login's messages.
    workspace_sections = [
        "findings.workspace.findings_section",
        "findings.workspace.messages_section",
    ]
    company_panels = [
        "findings.panels.company_compliance_panel",
        "findings.panels.company_fix_rate_panel",
    ]

    def ready(self):
        from guardians.signals import card_filed

        from . import receivers

        card_filed.connect(receivers.card_filed, dispatch_uid="findings.receivers.card_filed")
