from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuardiansConfig(AppConfig):
    name = "guardians"
    verbose_name = _("Guardians")
    # Its figures in the workspace's statistics (workspace.statistics.registry).
    workspace_statistics = ["guardians.statistics.source"]
    demo_seeders = ["guardians.demo.seed_guardians", "guardians.demo_workflows.seed_workflows"]
    personal_data_exporters = ["guardians.arco.export"]  # ARCO rights, see accounts.privacy.arco
    personal_data_anonymisers = ["guardians.arco.anonymise"]
    space_panels = ["guardians.panels.space_cards_panel", "guardians.panels.space_join_panel"]
    colonia_panels = ["guardians.panels.colonia_guardians_panel"]  # "my colonia": counts only
    # The staff workspace (workspace.registry): f(*, request) -> Section | None.
    workspace_sections = [
        "guardians.workspace.program_staff_section",
        "guardians.workspace.guardian_section",
        "guardians.workspace_visits.visits_training_section",
        "guardians.workspace_visits.guardian_visits_section",
    ]
    # Periodic tasks that send what the tasks enqueued on commit could not (findings.schedules).
    sweepers = [
        ("guardians: card e-mail sweeper", "guardians.tasks.sweep_card_notifications", 60),
    ]
