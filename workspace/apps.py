from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """Each role's landing page after login: the sections, queues and links that the apps
    above declare in ``workspace_sections`` (see ``workspace.registry``)."""

    name = "workspace"
    verbose_name = _("Workspace")
    # Its own: the user's account (every login) and the ARCO requests (the Sindicatura).
    workspace_sections = [
        "workspace.sections.account_section",
        "workspace.sections.privacy_section",
        "workspace.statistics.sections.statistics_section",
    ]
    # core.demo: the demo's statistics, computed once every app has seeded its rows.
    demo_finishers = ["workspace.demo.refresh_statistics"]
    # Refreshes the statistics' facts (workspace.tasks; findings.schedules registers it).
    crontabs = [
        ("workspace: statistics refresh", "workspace.tasks.refresh_statistics", "*/30", "*")
    ]
