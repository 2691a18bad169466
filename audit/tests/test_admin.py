"""Saves and deletes made in the admin are recorded; the trail itself is read-only there."""

import pytest
from django.contrib.auth.models import Permission
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import audit_record
from contracts.models import Contract, Obligation
from contracts.tests.factories import ContractFactory, ObligationFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, municipality):
    staff = User.objects.create_user(
        username="sindicatura", password="x", is_staff=True, municipality=municipality
    )
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["contracts", "audit"])
    )
    client.force_login(staff)
    client.staff = staff
    return client


def contract_form(contract, **extra):
    data = {
        "number": contract.number,
        "lot": contract.lot,
        "company": contract.company.pk,
        "service_type": contract.service_type.pk,
        "directorate": contract.directorate.pk,
        "procurement_method": "open",
        "monthly_amount": "337000.00",
        "total_amount": "2022000.00",
        "amounts_include_vat": "on",
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "obligations-TOTAL_FORMS": "0",
        "obligations-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_contract_and_obligation_changes_in_the_admin_are_recorded(staff_client, municipality):
    contract = ContractFactory(municipality=municipality)
    kept = ObligationFactory(contract=contract, task="Riego", frequency_days=7)
    dropped = ObligationFactory(contract=contract, task="Poda", frequency_days=30)
    data = contract_form(
        contract,
        monthly_amount="400000.00",
        **{
            "obligations-TOTAL_FORMS": "3",
            "obligations-INITIAL_FORMS": "2",
            "obligations-0-id": kept.pk,
            "obligations-0-contract": contract.pk,
            "obligations-0-task": "Riego",
            "obligations-0-frequency_days": "3",
            "obligations-1-id": dropped.pk,
            "obligations-1-contract": contract.pk,
            "obligations-1-task": "Poda",
            "obligations-1-frequency_days": "30",
            "obligations-1-DELETE": "on",
            "obligations-2-task": "Barrido",
            "obligations-2-frequency_days": "1",
        },
    )
    response = staff_client.post(admin_url(Contract, "change", contract.pk), data, **EN)
    assert response.status_code == 302

    by_object = {
        (e.object_type, e.object_id, e.action): e
        for e in AuditEntry.objects.filter(actor=staff_client.staff)
    }
    updated = by_object["contracts.contract", str(contract.pk), "update"]
    assert updated.changes == {"monthly_amount": ["337000.00", "400000.00"]}
    assert by_object["contracts.obligation", str(kept.pk), "update"].changes == {
        "frequency_days": [7, 3]
    }
    deleted = by_object["contracts.obligation", str(dropped.pk), "delete"]
    assert deleted.changes["task"] == ["Poda", None]
    added = Obligation.objects.get(task="Barrido")
    assert by_object["contracts.obligation", str(added.pk), "create"].changes["task"] == [
        None,
        "Barrido",
    ]
    assert len(by_object) == 4


def test_a_contract_deleted_in_the_admin_is_recorded(staff_client, municipality):
    contract = ContractFactory(municipality=municipality, lot="11")
    response = staff_client.post(admin_url(Contract, "delete", contract.pk), {"post": "yes"}, **EN)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="delete")
    assert (entry.object_id, entry.changes["lot"]) == (str(contract.pk), ["11", None])


def test_the_admin_shows_the_trail_read_only(staff_client, municipality):
    contract = ContractFactory(municipality=municipality)
    staff_client.post(admin_url(Contract, "delete", contract.pk), {"post": "yes"}, **EN)
    entry = AuditEntry.objects.get()
    assert staff_client.get(admin_url(AuditEntry, "changelist"), **EN).status_code == 200
    assert staff_client.get(admin_url(AuditEntry, "add"), **EN).status_code == 403
    detail = staff_client.get(admin_url(AuditEntry, "change", entry.pk), **EN)
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert (
        staff_client.post(admin_url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_user_who_appears_in_the_trail_cannot_be_deleted_and_the_admin_says_deactivate(
    client, municipality
):
    admin = User.objects.create_superuser(username="root", password="x")
    client.force_login(admin)
    actor = User.objects.create_user(username="ana", password="x", municipality=municipality)
    audit_record(instance=ContractFactory(municipality=municipality), action="create", actor=actor)

    with pytest.raises(ProtectedError):
        actor.delete()
    url = admin_url(User, "delete", actor.pk)
    for response in (client.get(url, **EN), client.post(url, {"post": "yes"}, **EN)):
        assert response.status_code == 200
        assert "cannot be deleted" in response.text and "Deactivate" in response.text
    bulk = client.post(
        admin_url(User, "changelist"),
        {"action": "delete_selected", "_selected_action": [actor.pk], "post": "yes"},
        **EN,
    )
    assert bulk.status_code == 200 and "Deactivate" in bulk.text
    assert User.objects.filter(pk=actor.pk, is_active=True).exists()
    assert audit_chain_verify().problems == []
