from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.chain import head_signature_valid
from audit.services import audit_record, audit_snapshot
from committees.tests.factories import make_staff
from contracts.services import obligation_add
from contracts.tests.factories import ContractFactory
from territory.selectors import municipality_for_host

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def staff(municipality):
    return make_staff(
        municipality=municipality, username="maria.lopez", email="maria.lopez@municipio.gob.mx"
    )


def _edit_contract(contract, staff, **fields):
    before = audit_snapshot(contract)
    for name, value in fields.items():
        setattr(contract, name, value)
    contract.save()
    audit_record(instance=contract, action="update", actor=staff, before=before)


def test_contract_page_shows_the_change_history_without_who(client, municipality, staff):
    contract = ContractFactory(municipality=municipality, monthly_amount=Decimal("1000.00"))
    _edit_contract(contract, staff, monthly_amount=Decimal("1250.00"))
    obligation_add(contract=contract, task="Poda de árboles", frequency_days=30, actor=staff)

    response = client.get(contract.get_absolute_url(), **EN)
    page = response.content.decode()
    assert "Change history" in page
    assert "1000.00 → 1250.00" in page
    assert "Poda de árboles" in page
    assert "Municipal staff" in page
    assert "maria.lopez" not in page and "municipio.gob.mx" not in page


def test_contract_page_says_when_nothing_changed_yet(client, municipality):
    contract = ContractFactory(municipality=municipality)
    assert "No changes recorded yet." in client.get(contract.get_absolute_url(), **EN).text


@pytest.mark.parametrize("edits", [2, 40])
def test_contract_history_query_count_is_constant(
    client, municipality, staff, django_assert_num_queries, edits
):
    contract = ContractFactory(municipality=municipality)
    for n in range(edits):
        _edit_contract(contract, staff, lot=str(n))
    municipality_for_host("testserver")
    # contract, obligations, documents, spaces, service areas, the findings panel's
    # compliance, the change history, the reviews panel (reviews, transparency requests): as
    # many edits as there are (no savepoint: the page-cached view runs outside a transaction)
    with django_assert_num_queries(9):
        response = client.get(contract.get_absolute_url(), **EN)
    assert len(response.context["panels"][-1]["context"]["rows"]) == edits


def test_the_published_head_is_the_municipality_s_latest_entry_and_its_signature_verifies(
    client, municipality, other
):
    ours = [
        audit_record(instance=ContractFactory(municipality=municipality), action="create")
        for _ in range(3)
    ]
    audit_record(instance=ContractFactory(municipality=other), action="create")

    response = client.get("/audit/head.json")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    head = response.json()
    assert {k: head[k] for k in ("municipality", "sequence", "hash")} == {
        "municipality": municipality.slug,
        "sequence": 3,
        "hash": ours[-1].hash,
    }
    assert head_signature_valid(head)
    for forged in ({"sequence": 2}, {"hash": ours[0].hash}, {"timestamp": "2020-01-01T00:00:00"}):
        assert not head_signature_valid({**head, **forged})
    with override_settings(AUDIT_HMAC_KEY="another-key"):
        assert not head_signature_valid(head)

    theirs = client.get("/audit/head.json", HTTP_HOST="villaflores.localhost").json()
    assert (theirs["municipality"], theirs["sequence"]) == ("villaflores", 1)
    assert head_signature_valid(theirs)


def test_the_head_of_an_empty_chain_is_sequence_zero(client, municipality):
    head = client.get(reverse("audit:head")).json()
    assert (head["sequence"], head["hash"]) == (0, "")
    assert head_signature_valid(head)
