"""Seeds the questions of the existing lighting and garbage services from the definitions
that were hard-coded in complaints/attributes.py until now (same codes, same answers), worded
in the site's language (Spanish, or English where the site runs in English)."""

from django.conf import settings
from django.db import migrations

# Frozen here: a migration must not follow later edits of complaints.attributes.
QUESTIONS = {
    "lighting": [
        {
            "code": "lamp_condition",
            "required": True,
            "description": {
                "es": "¿Qué problema tiene la luminaria?",
                "en": "What is wrong with the street light?",
            },
            "values": [
                ("off", {"es": "Está apagada de noche", "en": "It is off at night"}),
                ("flickering", {"es": "Parpadea", "en": "It flickers"}),
                ("on_by_day", {"es": "Se queda encendida de día", "en": "It stays on during the day"}),
                (
                    "damaged",
                    {"es": "El poste o la lámpara están dañados", "en": "The pole or the lamp is damaged"},
                ),
            ],
        }
    ],
    "garbage": [
        {
            "code": "problem",
            "required": False,
            "description": {"es": "¿Qué pasó?", "en": "What happened?"},
            "values": [
                ("missed", {"es": "No pasó el camión", "en": "The truck did not come"}),
                ("dump", {"es": "Tiradero clandestino", "en": "Illegal dumping"}),
                ("overflowing", {"es": "Contenedor desbordado", "en": "Overflowing container"}),
            ],
        }
    ],
}


def seed(apps, schema_editor):
    ServiceType = apps.get_model("territory", "ServiceType")
    ServiceQuestion = apps.get_model("complaints", "ServiceQuestion")
    ServiceQuestionChoice = apps.get_model("complaints", "ServiceQuestionChoice")
    language = "en" if settings.LANGUAGE_CODE.startswith("en") else "es"
    for service in ServiceType.objects.filter(category__in=QUESTIONS):
        if ServiceQuestion.objects.filter(service_type=service).exists():
            continue
        for order, definition in enumerate(QUESTIONS[service.category], start=1):
            question = ServiceQuestion.objects.create(
                service_type=service,
                code=definition["code"],
                description=definition["description"][language],
                datatype="singlevaluelist",
                required=definition["required"],
                order=order,
            )
            ServiceQuestionChoice.objects.bulk_create(
                ServiceQuestionChoice(question=question, key=key, name=name[language], order=n)
                for n, (key, name) in enumerate(definition["values"], start=1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_service_questions"),
        ("territory", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
