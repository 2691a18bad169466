from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared code under every app. Installed for its ``seed_demo`` command, which runs the
    seeders the apps name in ``demo_seeders`` (see ``core.demo``) without importing any app."""

    name = "core"
    verbose_name = _("Core")
