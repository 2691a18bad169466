from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = _("Findings")
    demo_seeders = ["findings.demo.seed_findings"]
    personal_data_exporters = ["findings.arco.export"]  # ARCO rights, see accounts.privacy.arco
    personal_data_anonymisers = ["findings.arco.anonymise"]
    contract_panels = ["findings.panels.contract_compliance_panel"]
    company_panels = [
        "findings.panels.company_compliance_panel",
        "findings.panels.company_fix_rate_panel",
    ]

    def ready(self):
        # Reconcile each card, and let a lead guardian's follow-up card close the loop, right
        # after the card is committed (guardians.services.card_after_commit_hooks).
        from guardians import services as guardian_services

        from .tasks import enqueue_card_reconcile, enqueue_verify_from_card

        hooks = guardian_services.card_after_commit_hooks
        for hook in (enqueue_verify_from_card, enqueue_card_reconcile):
            if hook not in hooks:
                hooks.append(hook)
