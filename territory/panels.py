"""Sections that other apps add to the public pages of spaces, contracts and companies.

``territory`` and ``contracts`` are the base the other apps build on, so they never import
them. An app names its panels in its AppConfig, as dotted paths to functions that take the
page's object as a keyword argument and return ``None`` (nothing to show) or
``{"template": "...", "context": {...}}``; the template receives the context as ``panel``::

    class GuardiansConfig(AppConfig):
        space_panels = ["guardians.panels.space_cards_panel"]        # f(*, space)
        contract_panels = ["findings.panels.contract_compliance_panel"]  # f(*, contract)
        company_panels = [...]                                         # f(*, company)
        area_panels = [...]                                            # f(*, area)
        colonia_panels = [...]                                         # f(*, colonia)
        contract_list_panels = [...]                        # f(*, municipality): /contracts/

A panel whose dict has ``"slot": "actions"`` is a button (or a small form) shown in the
page's "what you can do here" bar instead of a section, in the order of their ``"order"``
(50 if not given): "Report a problem here" (10), "Become a guardian of this space" (20),
"Follow this place".

Who answers for a space (the contract in force) comes the same way, from the one app that
declares ``space_responsible`` (contracts): see ``territory/responsible.py``.
"""

from django.apps import apps
from django.utils.module_loading import import_string


def panels_for(kind: str, **obj) -> list[dict]:
    """The panels the installed apps declare in ``<kind>_panels`` for this object."""
    panels = []
    for app_config in apps.get_app_configs():
        for function in getattr(app_config, f"{kind}_panels", ()):
            function = import_string(function) if isinstance(function, str) else function
            panel = function(**obj)
            if panel:
                panels.append(panel)
    return panels


def panel_apps(kind: str) -> tuple[str, ...]:
    """The labels of the apps that add ``<kind>`` panels."""
    return tuple(c.label for c in apps.get_app_configs() if getattr(c, f"{kind}_panels", ()))


def space_page_apps() -> tuple[str, ...]:
    """The apps whose rows a space's page shows (for the page cache)."""
    return ("territory", "contracts", *panel_apps("space"))


def area_page_apps() -> tuple[str, ...]:
    """The apps whose rows a service area's page shows (for the page cache)."""
    return ("territory", "contracts", *panel_apps("area"))


def colonia_page_apps() -> tuple[str, ...]:
    """The apps whose rows a colonia's page shows (for the page cache)."""
    return ("territory", "contracts", *panel_apps("colonia"))


def space_panels(*, space) -> list[dict]:
    return panels_for("space", space=space)


def split_actions(panels: list[dict]) -> tuple[list[dict], list[dict]]:
    """The panels as (sections, actions): those with ``"slot": "actions"`` are buttons."""
    # An action may say where it goes ("order", 50 if not): "Report a problem here" first.
    actions = sorted(
        (panel for panel in panels if panel.get("slot") == "actions"),
        key=lambda panel: panel.get("order", 50),
    )
    return [panel for panel in panels if panel.get("slot") != "actions"], actions
