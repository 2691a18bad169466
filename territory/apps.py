from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "territory"
    verbose_name = _("Territory")
    # Every municipality, for the apps below territory that keep one thing per municipality
    # without importing it (audit's chains: audit.selectors.municipalities).
    municipalities = "territory.selectors.municipalities"
    # The public map's layers (territory.layers): its own three, before the other apps'.
    map_layers = [
        "territory.layers.spaces_layer",
        "territory.layers.garbage_layer",
        "territory.layers.lighting_layer",
    ]
    demo_seeders = [  # core.demo: the municipalities and their places, before any other app's
        "territory.demo.seed_municipalities",
        "territory.demo.seed_services",
        "territory.demo.seed_colonias",
        "territory.demo.seed_spaces",
        "territory.demo.seed_service_areas",
        "territory.demo.seed_villaflores",
    ]

    def ready(self):
        from core import pagecache

        # Every app is loaded by now: the page cache follows the writes of all of them.
        pagecache.connect_signals()
