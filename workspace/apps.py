from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """Each role's landing page after login: the sections, queues and links that the apps
    above declare in ``workspace_sections`` (see ``workspace.registry``)."""

    name = "workspace"
    verbose_name = _("Workspace")
