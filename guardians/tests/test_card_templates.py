"""The default cards are data (guardians.card_templates); seeding stores them in the language
active at the time, as plain text."""

import pytest
from django.utils import translation

from guardians.card_templates import DEFAULT_CARDS
from guardians.models import CardTemplate, CardTemplateItem
from territory.models import ServiceType

from .. import services

pytestmark = pytest.mark.django_db


def test_seeding_creates_one_card_per_default_with_its_items(municipality):
    created = services.seed_card_templates(municipality=municipality)

    assert sorted(t.service_type.category for t in created) == sorted(DEFAULT_CARDS)
    for template in created:
        default = DEFAULT_CARDS[template.service_type.category]
        assert template.service_type.code == default.service_code
        assert list(template.items.order_by("order").values_list("code", flat=True)) == [
            item["code"] for item in default.items
        ]


@pytest.mark.parametrize(
    ("language", "card_name", "choice"),
    [
        ("es-mx", "Mantenimiento de parques y áreas verdes", "poor_quality|Mala calidad"),
        ("en", "Park and green-space maintenance", "poor_quality|Poor quality"),
    ],
)
def test_seeding_stores_the_texts_in_the_active_language(municipality, language, card_name, choice):
    with translation.override(language):
        services.seed_card_templates(municipality=municipality)

    template = CardTemplate.objects.get(
        service_type__municipality=municipality,
        service_type__category=ServiceType.Category.GREEN_SPACES,
    )
    problems = CardTemplateItem.objects.get(template=template, code="problems")
    assert template.name == card_name
    assert choice in problems.choices.splitlines()
    # Read back from the database in another language, the words stay those of the seeding.
    with translation.override("en" if language == "es-mx" else "es-mx"):
        assert CardTemplate.objects.get(pk=template.pk).name == card_name
