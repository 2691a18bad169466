"""Contracts' demo seeders (``contracts.demo``), on the published map territory's seeders made."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import Company, Contract
from core import demo
from territory.demo import GARBAGE, GREEN, LIGHTING
from territory.models import Municipality, PublicSpace, ServiceArea

pytestmark = pytest.mark.django_db

LOTS = {11: 77, 12: 62, 13: 76, 14: 85}


def seed_city(**options) -> demo.DemoContext:
    context = demo.DemoContext(**options)
    for seeder in demo.app_seeders(["territory", "contracts"]):
        seeder(context)
    return context


@pytest.fixture
def chihuahua():
    seed_city(spaces=6)
    return Municipality.objects.get(slug="chihuahua")


def test_running_twice_leaves_the_same_contracts(chihuahua):
    def rows():
        return (
            list(Company.objects.values_list("pk", "rfc", "legal_name", "email")),
            list(Contract.objects.values_list("pk", "number", "company", "monthly_amount")),
            list(Contract.spaces.through.objects.values_list("contract", "publicspace")),
            list(Contract.service_areas.through.objects.values_list("contract", "servicearea")),
            list(Contract.objects.values_list("pk", "obligations__task")),
        )

    first = rows()
    seed_city(spaces=6)
    assert rows() == first
    assert (len(first[0]), len(first[1])) == (11, 14)


def test_the_lots_published_terms_and_a_contract_in_force_per_lot(chihuahua):
    today = timezone.localdate()
    green = Contract.objects.filter(municipality=chihuahua, service_type__code=GREEN)
    published = {c.lot: c for c in green.filter(number__startswith="PARTIDA-")}
    assert set(published) == {"11", "12"}
    assert published["12"].company.legal_name == "Constructura Pewis S.A. de C.V."
    assert published["12"].monthly_amount == Decimal("313700.00")
    assert published["12"].start_date == datetime.date(2021, 1, 22)
    assert not green.filter(number__startswith="PARTIDA-").active_on(today).exists()

    in_force = green.active_on(today)
    assert sorted(int(c.lot) for c in in_force) == list(LOTS)
    for contract in in_force:
        lot = int(contract.lot)
        assert contract.number == f"DEMO-AV-{lot:03d}/{today.year}"
        assert contract.spaces.count() == LOTS[lot]
        assert set(contract.spaces.values_list("code", flat=True)) == {
            f"AC-Z{lot}-{n:04d}" for n in range(1, LOTS[lot] + 1)
        }
        assert contract.amounts_include_vat and contract.monthly_amount > 0
        assert contract.directorate.name == "Departamento de Parques y Jardines"
        assert "demostración" in contract.description
        obligations = {
            (o.frequency_days, o.response_time_hours) for o in contract.obligations.all()
        }
        assert obligations == {(15, None), (7, None), (3, None), (90, None), (None, 72)}
        if str(lot) in published:  # the same company at the published monthly amount
            assert contract.company == published[str(lot)].company
            assert contract.monthly_amount == published[str(lot)].monthly_amount
        else:
            assert contract.company.legal_name.startswith("Empresa ficticia de demostración")
    # No space is under two contracts in force; the invented ones are kept by the directorate.
    covered = PublicSpace.objects.filter(contracts__in=in_force)
    assert covered.count() == covered.distinct().count() == 300
    kept = PublicSpace.objects.filter(municipality=chihuahua, contracts=None)
    assert kept.count() == 6
    assert all(space.code.startswith("DEMO-PJ-") for space in kept)


def test_one_contract_in_force_per_garbage_and_lighting_contractor(chihuahua):
    today = timezone.localdate()
    contracts = Contract.objects.filter(municipality=chihuahua).active_on(today)
    garbage = contracts.filter(service_type__code=GARBAGE)
    assert {c.company.legal_name: c.service_areas.count() for c in garbage} == {
        "ANCHO": 4,
        "ASEO URBANO DE CHIHUAHUA": 38,
        "ASEO URBANO ESTRADA": 19,
        "COMERCIAL AUTOMOTOR": 73,
        "DIPACSA": 6,
        "JESUS DE LAS CASAS CADENA": 24,
        "LIFER DEL NORTE": 39,
    }
    dipacsa = garbage.get(company__legal_name="DIPACSA")
    assert dipacsa.number.startswith("DEMO-RB-")
    assert "Contratos publicados: CD 383-16." in dipacsa.description
    assert "ficticios" in dipacsa.description
    lighting = contracts.get(service_type__code=LIGHTING)
    assert lighting.number == f"DEMO-AP-01/{today.year}"
    assert lighting.service_areas.count() == 39
    assert lighting.obligations.filter(response_time_hours=48).exists()
    assert lighting.directorate.name == "Departamento de Alumbrado Público"
    # Every published area is under exactly one contract in force of its service.
    areas = ServiceArea.objects.filter(municipality=chihuahua)
    covered = areas.filter(contracts__in=contracts)
    assert covered.count() == covered.distinct().count() == areas.count() == 242
    assert Company.objects.filter(municipality=chihuahua).count() == 11
