from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")
    demo_seeders = [  # core.demo
        "contracts.demo.seed_green_contracts",
        "contracts.demo.seed_lighting_contracts",
        "contracts.demo.seed_garbage_contract",
    ]
    # The contract in force on a space, for territory's map and space page
    # (read by territory/responsible.py).
    space_responsible = "contracts.responsible"
    # workspace.registry: the contracts in force that end soon.
    workspace_sections = ["contracts.workspace.contracts_section"]
