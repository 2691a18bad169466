"""Sections that other apps add to the public space page.

``territory`` is the base every app builds on, so it never imports them. An app names its
panels in its AppConfig, as dotted paths to functions taking ``space`` (keyword) and returning
``None`` (nothing to show) or ``{"template": "...", "context": {...}}``::

    class GuardiansConfig(AppConfig):
        space_panels = ["guardians.panels.space_cards_panel"]
"""

from collections.abc import Callable

from django.apps import apps
from django.utils.module_loading import import_string


def space_panel_functions() -> list[Callable]:
    functions = []
    for app_config in apps.get_app_configs():
        for panel in getattr(app_config, "space_panels", ()):
            functions.append(import_string(panel) if isinstance(panel, str) else panel)
    return functions


def space_panels(*, space) -> list[dict]:
    """The panels the installed apps have for this space, in app order."""
    panels = []
    for function in space_panel_functions():
        panel = function(space=space)
        if panel:
            panels.append(panel)
    return panels
