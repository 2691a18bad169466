"""What committees add to other apps' pages (see territory.panels): "my colonia"."""

from . import selectors


def colonia_participation_panel(*, colonia) -> dict:
    """The colonia's Committee of Citizen Participation, its needs (counts by category) and the
    public works for it with their progress: three statements."""
    return {
        "template": "committees/panels/colonia_participation.html",
        "context": {
            "committees": selectors.colonia_committees(colonia),
            "needs": selectors.colonia_need_counts(colonia),
            "works": selectors.colonia_works(colonia),
        },
    }
