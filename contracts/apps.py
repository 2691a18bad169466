from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")
    # The contract in force on a space, for territory's map and space page
    # (read by territory/responsible.py).
    space_responsible = "contracts.responsible"
