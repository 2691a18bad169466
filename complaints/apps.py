from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")
    # Its figures in the workspace's statistics (workspace.statistics.registry).
    workspace_statistics = ["complaints.statistics.source"]
    demo_seeders = ["complaints.demo.seed_complaints"]
    personal_data_exporters = ["complaints.arco.export"]  # ARCO rights, see accounts.privacy.arco
    personal_data_anonymisers = ["complaints.arco.anonymise"]
    personal_data_code_matchers = ["complaints.arco.code_matches"]
    map_layers = ["complaints.layers.complaints_layer"]  # territory.layers: the public map
    visit_panels = ["complaints.panels.visit_brief_panel"]  # territory.panels; guardians' visits
    # A place's page (territory.panels): "Report a problem here" and its open complaints.
    space_panels = [
        "complaints.panels.space_report_panel",
        "complaints.panels.space_complaints_panel",
    ]
    area_panels = ["complaints.panels.area_report_panel", "complaints.panels.area_complaints_panel"]
    colonia_panels = ["complaints.panels.colonia_complaints_panel"]
    # workspace.registry: open complaints by status and age, the briefs.
    workspace_sections = ["complaints.workspace.complaints_section"]
    # The public pre-visit brief of a planned visit (guardians' visit_brief page): counts only.
    visit_brief_panels = ["complaints.panels.visit_public_brief_panel"]
    # Periodic tasks that send what the tasks enqueued on commit could not (findings.schedules).
    sweepers = [
        ("complaints: notification sweeper", "complaints.tasks.sweep_notifications", 60),
    ]

    def ready(self):
        from django.db.models.signals import post_save

        from territory.models import ServiceType

        from .signals import seed_service_questions

        post_save.connect(
            seed_service_questions, sender=ServiceType, dispatch_uid="complaints:service-questions"
        )
