from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees")
    # Its figures in the workspace's statistics (workspace.statistics.registry).
    workspace_statistics = ["committees.statistics.source"]
    demo_seeders = ["committees.demo.seed_committees", "committees.demo_workflows.seed_workflows"]
    map_layers = ["committees.layers.works_layer"]  # territory.layers: the public map
    # "My colonia" (territory.panels): its committee, needs and works.
    colonia_panels = ["committees.panels.colonia_participation_panel"]
    personal_data_exporters = ["committees.arco.export"]  # ARCO rights, see accounts.privacy.arco
    personal_data_anonymisers = ["committees.arco.anonymise"]
    workspace_sections = [  # workspace.registry: queues and links of each role's workspace
        "committees.workspace.participation_staff_section",
        "committees.workspace.participant_section",
        "committees.workspace_workflows.workflows_staff_section",
        "committees.workspace_workflows.workflows_member_section",
    ]
