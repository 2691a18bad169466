"""Contracts' demo seeders (``contracts.demo``), on the places territory's seeders made."""

import re

import pytest
from django.utils import timezone

from contracts.models import RFC_PATTERN, Company, Contract
from core import demo
from territory.demo import GARBAGE, GREEN, LIGHTING
from territory.models import Municipality, PublicSpace

pytestmark = pytest.mark.django_db


def seed_city(**options) -> demo.DemoContext:
    context = demo.DemoContext(**options)
    for seeder in demo.app_seeders(["territory", "contracts"]):
        seeder(context)
    return context


@pytest.fixture
def chihuahua():
    seed_city(spaces=60)
    return Municipality.objects.get(slug="chihuahua")


def test_default_seed_has_over_a_thousand_spaces_about_ninety_per_lot():
    seed_city()
    assert PublicSpace.objects.count() == demo.DEFAULT_SPACE_COUNT >= 1000
    for contract in Contract.objects.filter(service_type__code=GREEN):
        assert 85 <= contract.spaces.count() <= 95


def test_running_twice_leaves_the_same_contracts(chihuahua):
    def rows():
        return (
            list(Company.objects.values_list("pk", "rfc", "legal_name", "email")),
            list(Contract.objects.values_list("pk", "number", "company", "monthly_amount")),
            list(Contract.spaces.through.objects.values_list("contract", "publicspace")),
            list(Contract.objects.values_list("pk", "obligations__task")),
        )

    first = rows()
    seed_city(spaces=60)
    assert rows() == first
    assert (len(first[0]), len(first[1])) == (13, 14)


def test_eleven_maintenance_contracts_in_force_with_eleven_companies(chihuahua):
    today = timezone.localdate()
    contracts = Contract.objects.filter(municipality=chihuahua, service_type__code=GREEN)
    assert contracts.count() == 11
    assert contracts.active_on(today).count() == 11
    assert sorted(int(c.lot) for c in contracts) == list(range(11, 22))
    assert len({c.company_id for c in contracts}) == 11
    assert len({c.procurement_method for c in contracts}) > 1
    for contract in contracts:
        assert re.fullmatch(RFC_PATTERN, contract.company.rfc)
        assert contract.company.legal_name.endswith("S.A. de C.V.")
        assert 250_000 <= contract.monthly_amount <= 450_000
        assert contract.amounts_include_vat
        assert contract.spaces.exists()
        assert contract.directorate.name == "Departamento de Parques y Jardines"
        obligations = {
            (o.frequency_days, o.response_time_hours) for o in contract.obligations.all()
        }
        assert obligations == {(15, None), (7, None), (3, None), (90, None), (None, 72)}
    # No space is covered twice; the rest are kept by the directorate itself.
    covered = PublicSpace.objects.filter(contracts__in=contracts)
    assert covered.count() == covered.distinct().count()
    kept = PublicSpace.objects.filter(municipality=chihuahua, contracts=None)
    assert kept.exists()
    assert all(space.directorate.name == "Departamento de Parques y Jardines" for space in kept)


def test_two_lighting_contracts_and_a_garbage_contract_over_service_areas(chihuahua):
    today = timezone.localdate()
    lighting = Contract.objects.filter(municipality=chihuahua, service_type__code=LIGHTING)
    assert lighting.count() == 2
    assert lighting.active_on(today).count() == 2
    for contract in lighting:
        assert contract.service_areas.exists()
        assert contract.obligations.filter(response_time_hours=48).exists()
    assert not set(lighting[0].service_areas.all()) & set(lighting[1].service_areas.all())

    garbage = Contract.objects.get(municipality=chihuahua, service_type__code=GARBAGE)
    assert garbage.status == Contract.Status.ACTIVE
    routes = garbage.service_areas.all()
    assert routes.count() >= 10
    assert all(route.geometry.valid and route.area_m2 > 1_000_000 for route in routes)
    assert Company.objects.filter(municipality=chihuahua).count() == 13
