from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "territory"
    verbose_name = _("Territory")
    # Every municipality, for the apps below territory that keep one thing per municipality
    # without importing it (audit's chains: audit.selectors.municipalities).
    municipalities = "territory.selectors.municipalities"

    def ready(self):
        from core import pagecache

        # Every app is loaded by now: the page cache follows the writes of all of them.
        pagecache.connect_signals()
