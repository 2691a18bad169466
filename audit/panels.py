"""The audit trail's section of the public contract page (see territory.panels)."""

from .selectors import history_about


def contract_history_panel(*, contract) -> dict:
    return {
        "template": "audit/includes/history.html",
        "context": {"rows": history_about(contract)},
    }
