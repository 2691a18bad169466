"""The guardians' section of the public space page (see territory.panels)."""

from urllib.parse import urlencode

from django.urls import reverse

from .selectors import colonia_guardian_counts, space_card_summary


def space_cards_panel(*, space) -> dict:
    """Aggregate card results for the space: never who filed them."""
    return {
        "template": "guardians/includes/space_cards_panel.html",
        "context": space_card_summary(space=space),
    }


def space_join_panel(*, space) -> dict:
    """ "Become a guardian of this space": the join form with the space (and its colonia)."""
    return {
        "template": "guardians/includes/join_here.html",
        "slot": "actions",
        "order": 20,
        "context": {"url": f"{reverse('guardians:join')}?{urlencode({'space': space.code})}"},
    }


def colonia_guardians_panel(*, colonia) -> dict:
    """On "my colonia": how many guardians watch it and the cards they filed (counts only)."""
    return {
        "template": "guardians/includes/colonia_guardians_panel.html",
        "context": colonia_guardian_counts(colonia=colonia),
    }
