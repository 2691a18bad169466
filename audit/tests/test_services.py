import datetime
from decimal import Decimal

import pytest

from audit.models import AppendOnlyError, AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import audit_record, audit_snapshot
from committees import services as committee_services
from committees.permissions import Participant
from committees.tests.factories import NeedFactory, make_staff
from complaints.services import complaint_change_status
from complaints.tests.factories import make_complaint
from contracts.services import contract_add_coverage, contract_upsert, obligation_add
from contracts.tests.factories import CompanyFactory, ContractFactory
from findings.models import Finding
from findings.services import finding_acknowledge, findings_reconcile
from findings.tests.world import build_world
from guardians.services import guardian_create, guardian_deactivate, guardian_set_lead
from guardians.tests.factories import UserFactory
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    PublicSpaceFactory,
    ServiceTypeFactory,
)

pytestmark = pytest.mark.django_db
STAFF = Participant(is_staff=True)


def entries(instance):
    return list(AuditEntry.objects.for_object(instance).order_by("sequence"))


@pytest.fixture
def staff(municipality):
    return make_staff(municipality=municipality, username="ana.staff")


def _upsert(municipality, **overrides):
    values = {
        "municipality": municipality,
        "number": "SA/LP/001/2026",
        "company": CompanyFactory(municipality=municipality),
        "service_type": ServiceTypeFactory(municipality=municipality),
        "directorate": DirectorateFactory(municipality=municipality),
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2026, 12, 31),
        "monthly_amount": Decimal("1000.00"),
    }
    values.update(overrides)
    return contract_upsert(**values)


def test_contract_create_and_update_record_before_and_after(municipality, staff):
    contract, _ = _upsert(municipality)
    _upsert(
        municipality,
        company=contract.company,
        service_type=contract.service_type,
        directorate=contract.directorate,
        monthly_amount=Decimal("1500.50"),
        actor=staff,
    )
    created, updated = entries(contract)
    assert created.action == "create" and created.actor is None
    assert created.changes["number"] == [None, "SA/LP/001/2026"]
    assert created.changes["start_date"] == [None, "2026-01-01"]
    assert updated.action == "update"
    assert updated.changes == {"monthly_amount": ["1000.00", "1500.50"]}
    assert updated.actor == staff and updated.actor_name == "ana.staff"
    assert updated.previous_hash == created.hash
    assert updated.sequence == created.sequence + 1


def test_an_upsert_that_changes_nothing_records_nothing(municipality):
    contract, _ = _upsert(municipality)
    _upsert(
        municipality,
        company=contract.company,
        service_type=contract.service_type,
        directorate=contract.directorate,
    )
    assert len(entries(contract)) == 1


def test_coverage_and_obligations_are_recorded_under_the_contract(municipality, staff):
    contract = ContractFactory(municipality=municipality)
    space = PublicSpaceFactory(municipality=municipality)
    contract_add_coverage(contract=contract, spaces=[space], actor=staff)
    obligation = obligation_add(contract=contract, task="Poda", frequency_days=30, actor=staff)

    (coverage,) = entries(contract)
    assert coverage.changes == {"spaces added": [None, [space.pk]]}
    (created,) = entries(obligation)
    assert created.changes["task"] == [None, "Poda"]
    assert created.parent == f"contracts.contract:{contract.pk}"
    assert AuditEntry.objects.about(contract).count() == 2


def test_need_create_update_and_status_change(municipality, staff):
    colonia = ColoniaFactory(municipality=municipality)
    need = committee_services.need_create(
        municipality=municipality,
        participant=STAFF,
        colonia=colonia,
        category="water",
        description="Red de agua",
        people_affected=10,
        estimated_cost=Decimal("100.00"),
        user=staff,
    )
    committee_services.need_update(need=need, participant=STAFF, people_affected=25, actor=staff)
    committee_services.need_transition(
        need=need, to_status="prioritised", participant=STAFF, user=staff, priority=3
    )
    created, updated, moved = entries(need)
    assert created.action == "create" and created.changes["people_affected"] == [None, 10]
    assert updated.changes == {"people_affected": [10, 25]}
    assert moved.changes == {"priority": [None, 3], "status": ["identified", "prioritised"]}


def test_allocation_records_itself_and_the_need_it_moves(municipality, staff):
    need = NeedFactory(municipality=municipality, status="prioritised", priority=1)
    allocation = committee_services.allocation_record(
        municipality=municipality,
        participant=STAFF,
        colonia=need.colonia,
        item="Tubería",
        quantity=Decimal("10"),
        unit="m",
        value=Decimal("500.00"),
        delivered_on=datetime.date(2026, 1, 5),
        source="municipal",
        need=need,
        user=staff,
    )
    (created,) = entries(allocation)
    assert created.changes["item"] == [None, "Tubería"]
    assert created.changes["value"] == [None, "500.00"]
    assert "recorded_by" not in created.changes
    (moved,) = entries(need)
    assert moved.changes == {"status": ["prioritised", "in_execution"]}


def test_guardian_appointment_lead_and_deactivation(municipality, staff):
    user = UserFactory(municipality=municipality)
    guardian = guardian_create(
        municipality=municipality,
        user=user,
        colonia=ColoniaFactory(municipality=municipality),
        phone="6140000000",
        actor=staff,
    )
    guardian_set_lead(guardian=guardian, is_lead=True, actor=staff)
    guardian_deactivate(guardian=guardian, actor=staff)
    created, lead, deactivated = entries(guardian)
    assert created.changes["is_lead"] == [None, False]
    assert "phone" not in created.changes  # contact data stays out of the trail
    assert lead.changes == {"is_lead": [False, True]}
    assert deactivated.changes == {"is_lead": [True, False], "status": ["active", "inactive"]}


def test_complaint_status_change_records_only_the_status(municipality, staff):
    complaint = make_complaint(
        municipality=municipality, service_type=ServiceTypeFactory(municipality=municipality)
    )
    complaint_change_status(complaint=complaint, status="in_progress", user=staff)
    (changed,) = entries(complaint)
    assert changed.changes == {"status": [complaint.status, "in_progress"]}


def test_findings_runs_and_transitions(municipality):
    world = build_world(municipality)
    world.file(**{"grass-cut": "no"}, days_ago=2)
    findings_reconcile(municipality=municipality)
    run = AuditEntry.objects.get(object_type="findings.finding", object_id="")
    assert run.is_system and run.actor_name == "findings_reconcile"
    assert run.changes["findings_raised"] == [None, 1]

    finding = Finding.objects.get(item_code="grass-cut")
    finding_acknowledge(finding=finding, user=world.parks_staff, note="Vamos")
    (acknowledged,) = entries(finding)
    assert acknowledged.changes["status"] == ["open", "acknowledged"]
    assert acknowledged.actor == world.parks_staff


def test_a_delete_records_the_full_before(municipality, staff):
    contract = ContractFactory(municipality=municipality, lot="7")
    entry = audit_record(instance=contract, action="delete", actor=staff)
    assert entry.changes["lot"] == ["7", None]
    assert entry.object_id == str(contract.pk)


def test_the_snapshot_is_json_safe(municipality):
    snapshot = audit_snapshot(PublicSpaceFactory(municipality=municipality))
    assert "geometry" not in snapshot and "centroid" not in snapshot
    assert all(isinstance(v, str | int | bool | list | type(None)) for v in snapshot.values())


def test_entries_are_append_only(municipality):
    entry = audit_record(instance=ContractFactory(municipality=municipality), action="create")
    entry.changes = {}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(changes={})
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_each_municipality_has_its_own_gap_free_chain(municipality, other):
    for _ in range(3):
        audit_record(instance=ContractFactory(municipality=municipality), action="create")
        audit_record(instance=ContractFactory(municipality=other), action="create")
    for current in (municipality, other):
        assert list(
            AuditEntry.objects.filter(municipality=current).values_list("sequence", flat=True)
        ) == [1, 2, 3]
    report = audit_chain_verify()
    assert report.verified == 6 and not report.problems
