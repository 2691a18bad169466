"""Open311 service attributes ("service definitions") by service category.

ServiceType has no attribute definitions of its own, so the few questions worth asking
are defined here once per category and stored in ``Complaint.attributes``.
"""

from django.utils.translation import gettext_lazy as _

SERVICE_ATTRIBUTES = {
    "lighting": [
        {
            "code": "lamp_condition",
            "datatype": "singlevaluelist",
            "required": True,
            "description": _("What is wrong with the street light?"),
            "values": [
                ("off", _("It is off at night")),
                ("flickering", _("It flickers")),
                ("on_by_day", _("It stays on during the day")),
                ("damaged", _("The pole or the lamp is damaged")),
            ],
        }
    ],
    "garbage": [
        {
            "code": "problem",
            "datatype": "singlevaluelist",
            "required": False,
            "description": _("What happened?"),
            "values": [
                ("missed", _("The truck did not come")),
                ("dump", _("Illegal dumping")),
                ("overflowing", _("Overflowing container")),
            ],
        }
    ],
}


def attributes_for(category: str) -> list[dict]:
    return SERVICE_ATTRIBUTES.get(category, [])
