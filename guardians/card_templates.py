"""The default surveillance cards, as data: one card per service category (parks and green
spaces, garbage collection, street lighting), and the service created for a category that a
municipality does not have yet.

Read by ``services.seed_card_templates`` (and so by the ``seed_card_templates`` command and the
demo). The texts are marked for translation here and resolved in the language active when a
municipality's cards are seeded: a stored card keeps the words it was created with. Each item is
the fields of a ``CardTemplateItem``; ``choices`` are ``code|label`` lines.
"""

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from territory.models import ServiceType

from .models import CardTemplateItem

Kind = CardTemplateItem.Kind


class DefaultCard(NamedTuple):
    service_code: str
    #: The name of the service created when the municipality has none of the category (Spanish:
    #: a municipality's own service names are not translated).
    service_name: str
    name: Promise
    items: list[dict]


def _yes_no(code: str, text: Promise, failure: str = "no", required: bool = True) -> dict:
    return {
        "code": code,
        "text": text,
        "kind": Kind.YES_NO,
        "failure_values": failure,
        "required": required,
    }


OVERALL_AND_PROBLEMS = [
    {
        "code": "overall",
        "text": _("Overall score of the service"),
        "help_text": _("1 is very bad, 5 is very good."),
        "kind": Kind.RATING,
        "failure_min": 3,
    },
    {
        "code": "problems",
        "text": _("Problems observed"),
        "kind": Kind.MULTI_CHOICE,
        "required": False,
        "choices": format_lazy(
            "terms_not_met|{}\npoor_quality|{}\nnot_done|{}\nlate|{}",
            _("The terms of the contract were not met"),
            _("Poor quality"),
            _("Not done"),
            _("Done late"),
        ),
        "failure_values": "terms_not_met\npoor_quality\nnot_done\nlate",
    },
    {"code": "comments", "text": _("Comments"), "kind": Kind.TEXT, "required": False},
]

DEFAULT_CARDS: dict[str, DefaultCard] = {
    ServiceType.Category.GREEN_SPACES: DefaultCard(
        service_code="green-spaces",
        service_name="Mantenimiento de áreas verdes",
        name=_("Park and green-space maintenance"),
        items=[
            _yes_no("grass-cut", _("Has the grass been cut?")),
            _yes_no("litter-removed", _("Has the litter been removed?")),
            _yes_no("irrigation", _("Is the space being watered?")),
            _yes_no("trees-pruned", _("Have the trees and shrubs been pruned?")),
            {
                "code": "furniture",
                "text": _("Condition of benches, bins and lamps"),
                "kind": Kind.RATING,
                "failure_min": 3,
            },
            {
                "code": "playground",
                "text": _("Condition of the playground"),
                "help_text": _("Leave it empty if the space has no playground."),
                "kind": Kind.RATING,
                "failure_min": 3,
                "required": False,
            },
            *OVERALL_AND_PROBLEMS,
        ],
    ),
    ServiceType.Category.GARBAGE: DefaultCard(
        service_code="garbage",
        service_name="Recolección de basura",
        name=_("Garbage collection"),
        items=[
            _yes_no("collected-on-schedule", _("Was the garbage collected on the scheduled day?")),
            {
                "code": "missed-pickups",
                "text": _("Missed pickups in the last month"),
                "kind": Kind.COUNT,
                "failure_max": 0,
            },
            _yes_no("illegal-dumping", _("Is there illegal dumping nearby?"), failure="yes"),
            *OVERALL_AND_PROBLEMS,
        ],
    ),
    ServiceType.Category.LIGHTING: DefaultCard(
        service_code="lighting",
        service_name="Alumbrado público",
        name=_("Street lighting"),
        items=[
            {
                "code": "lamps-working",
                "text": _("Lamps working"),
                "kind": Kind.COUNT,
                "has_total": True,
                "total_label": _("Lamps present"),
                "failure_min": 100,
            },
            {
                "code": "damaged-poles",
                "text": _("Damaged poles"),
                "kind": Kind.COUNT,
                "failure_max": 0,
            },
            _yes_no("dark-spots", _("Are there dark spots?"), failure="yes"),
            *OVERALL_AND_PROBLEMS,
        ],
    ),
}
