import pytest

from core import demo
from guardians.demo import seed_guardians
from guardians.models import Card, Guardian, Visit


@pytest.mark.django_db
def test_the_demo_seeder_gives_guardians_leads_and_cards_and_runs_twice_unchanged():
    context = demo.DemoContext(spaces=12)
    for step in demo.app_seeders(["territory", "accounts", "contracts"]):
        step(context)
    seed_guardians(context)
    counts = (Visit.objects.count(), Guardian.private_objects.count(), Card.objects.count())
    seed_guardians(context)
    assert (
        Visit.objects.count(),
        Guardian.private_objects.count(),
        Card.objects.count(),
    ) == counts
    assert counts[1] > 0 and counts[2] > 0
    assert Guardian.private_objects.filter(user__username="demo-lead", is_lead=True).exists()
