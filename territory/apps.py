from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "territory"
    verbose_name = _("Territory")

    def ready(self):
        from core import pagecache

        # Every app is loaded by now: the page cache follows the writes of all of them.
        pagecache.connect_signals()
