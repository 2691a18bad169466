"""Who answers for a public space, asked of the app that holds the contracts.

``territory`` is the base the other apps build on and never imports them, yet the map, its
list and a space's page show the contract in force on each space. The app that owns contracts
names a module in its AppConfig, which this reads from the registry::

    class ContractsConfig(AppConfig):
        space_responsible = "contracts.responsible"

The module gives ``contract_in_force_id(space, day)`` (a subquery), ``responsible_annotations
(contract_id)``, ``contracts_serving(company=, service_type=)``, ``contract_for_space(space=)``,
``map_properties(contract_ids)``, ``company_choices``/``contract_choices(municipality)`` and
the ``CONTRACT_TABLE``/``COMPANY_TABLE`` names for the hand-written map statements.
"""

import functools
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def space_responsible() -> ModuleType:
    """The module an installed app declares in ``space_responsible``."""
    for app_config in apps.get_app_configs():
        path = getattr(app_config, "space_responsible", None)
        if path:
            return import_module(path)
    raise ImproperlyConfigured("No installed app declares space_responsible (contracts does).")
