"""The contract in force on a space has one definition, ``ContractQuerySet.in_force`` (the
latest started, then the highest id): where two contracts on one park overlap, the map, its
list, the space page, the reconciliation and OCDS all name the same one."""

import datetime

import pytest
from django.urls import reverse

from contracts.models import Contract
from contracts.tests.factories import CompanyFactory, ContractFactory
from findings.models import Finding
from findings.services import findings_reconcile
from findings.tests.world import build_world
from territory.models import PublicSpace

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(municipality):
    return build_world(municipality)


def overlapping_contract(world, *, started_days_ago: int) -> Contract:
    """A second green-spaces contract on the first park, in force with ``world.contract``."""
    return ContractFactory(
        municipality=world.municipality,
        company=CompanyFactory(municipality=world.municipality, legal_name="Pastos del Sur SA"),
        service_type=world.green,
        directorate=world.parks,
        start_date=world.today - datetime.timedelta(days=started_days_ago),
        end_date=world.today + datetime.timedelta(days=200),
        spaces=[world.spaces[0]],
    )


def on_the_map(client, world, space) -> set[str]:
    numbers = set()
    bbox = ",".join(str(c) for c in world.colonia.geometry.extent)
    for params in ({}, {"bbox": bbox}, {"bbox": bbox, "zoom": 16}):
        response = client.get(reverse("territory:spaces_geojson"), params)
        assert response.status_code == 200
        features = {f["properties"]["code"]: f["properties"] for f in response.json()["features"]}
        numbers.add(features[space.code]["contract"])
    listed = PublicSpace.objects.with_responsible().get(pk=space.pk)
    numbers.add(listed.contract_number)
    return numbers


def on_the_space_page(client, space) -> str:
    response = client.get(reverse("territory:space_detail", kwargs={"code": space.code}))
    assert response.status_code == 200
    return response.context["contract"].number


def in_the_reconciliation(world, space) -> str:
    card = world.file(space=space, **{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    finding = Finding.objects.exclude(kind=Finding.Kind.OVERDUE).get(space=space)
    assert card.observed_on == world.today - datetime.timedelta(days=1)
    return finding.contract.number


def in_ocds(client, world, space) -> list[str]:
    """The contracts whose release shows the park's delivery in the card's month."""
    milestone = f"{space.code}-{world.today - datetime.timedelta(days=1):%Y-%m}"
    numbers = []
    for contract in Contract.objects.filter(spaces=space).order_by("pk"):
        response = client.get(reverse("opendata:contract_ocds", kwargs={"pk": contract.pk}))
        [release] = response.json()["releases"]
        milestones = release["contracts"][0]["implementation"].get("milestones", [])
        if any(m["id"] == milestone for m in milestones):
            numbers.append(contract.number)
    return numbers


@pytest.mark.parametrize(
    "started_days_ago",
    [
        pytest.param(10, id="the later started answers"),
        pytest.param(40, id="started the same day: the later created answers"),
    ],
)
def test_overlapping_contracts_give_one_answer_everywhere(client, world, started_days_ago):
    space = world.spaces[0]
    newer = overlapping_contract(world, started_days_ago=started_days_ago)
    assert world.contract.start_date <= newer.start_date and world.contract.pk < newer.pk

    assert Contract.objects.in_force_on_space(space).first() == newer
    assert on_the_map(client, world, space) == {newer.number}
    assert on_the_space_page(client, space) == newer.number
    assert in_the_reconciliation(world, space) == newer.number
    assert in_ocds(client, world, space) == [newer.number]


def test_the_park_only_the_first_contract_covers_keeps_it(client, world):
    overlapping_contract(world, started_days_ago=10)
    space = world.spaces[1]

    assert on_the_map(client, world, space) == {world.contract.number}
    assert on_the_space_page(client, space) == world.contract.number
    assert in_the_reconciliation(world, space) == world.contract.number
    assert in_ocds(client, world, space) == [world.contract.number]
