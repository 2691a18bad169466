"""The demo's statistics are computed once every app has seeded its rows (demo_finishers)."""

import pytest

from core import demo
from territory.models import Municipality
from workspace.models import StatisticFact, StatisticsRun

pytestmark = pytest.mark.django_db


def test_the_demo_ends_with_every_municipalitys_statistics(monkeypatch):
    order = []
    seeders = demo.app_seeders(["territory", "accounts", "contracts", "complaints"])
    monkeypatch.setattr(
        demo, "app_seeders", lambda: [*seeders, lambda context: order.append("last seeder")]
    )
    finishers = demo.app_finishers()
    assert [f.__module__ for f in finishers] == ["workspace.demo"]
    monkeypatch.setattr(
        demo, "app_finishers", lambda: [lambda context: order.append("finisher"), *finishers]
    )

    demo.seed(spaces=2, with_users=False)

    assert order == ["last seeder", "finisher"]
    municipalities = set(Municipality.objects.values_list("pk", flat=True))
    assert set(StatisticsRun.objects.values_list("municipality_id", flat=True)) == municipalities
    chihuahua = Municipality.objects.get(slug="chihuahua")
    assert StatisticFact.objects.filter(municipality=chihuahua, metric__startswith="complaints")
