"""The guardians' section of the public space page (see territory.panels)."""

from .selectors import space_card_summary


def space_cards_panel(*, space) -> dict:
    """Aggregate card results for the space: never who filed them."""
    return {
        "template": "guardians/includes/space_cards_panel.html",
        "context": space_card_summary(space=space),
    }
