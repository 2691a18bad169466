import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from audit.models import AuditEntry
from audit.services import audit_record
from contracts.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(municipality):
    return [
        audit_record(instance=ContractFactory(municipality=municipality), action="create")
        for _ in range(5)
    ]


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def raw_sql(sql, params):
    # What tampering looks like: straight to the table, past the model's append-only guard.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_intact_chain_verifies(chain, municipality):
    assert run() == (0, "5 entries verified\n", "")
    assert run("--municipality", municipality.slug)[0] == 0


def test_an_altered_entry_is_reported(chain):
    raw_sql(
        "UPDATE audit_auditentry SET changes = %s WHERE id = %s",
        ['{"number": [null, "forged"]}', chain[2].pk],
    )
    code, _, err = run()
    assert code == 1
    assert "altered" in err and "entry 3 was altered" in err
    assert "entry 4" not in err


def test_an_altered_repr_is_reported(chain):
    raw_sql(
        "UPDATE audit_auditentry SET object_repr = %s WHERE id = %s",
        ["another contract", chain[0].pk],
    )
    assert "entry 1 was altered" in run()[2]


def test_a_deleted_middle_entry_is_reported_missing(chain):
    raw_sql("DELETE FROM audit_auditentry WHERE id = %s", [chain[1].pk])
    code, _, err = run()
    assert code == 1
    assert "missing: entry 2 is missing" in err


def test_a_deleted_entry_replaced_by_the_next_is_reported(chain):
    # Removing an entry and moving the next into its place still breaks the hash links.
    raw_sql("DELETE FROM audit_auditentry WHERE id = %s", [chain[1].pk])
    raw_sql("UPDATE audit_auditentry SET sequence = 2 WHERE id = %s", [chain[2].pk])
    code, _, err = run()
    assert code == 1 and "entry 2 does not follow entry 1" in err


def test_an_unknown_municipality_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("verify_audit", "--municipality", "nowhere")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain(municipality):
    contracts = ContractFactory.create_batch(2, municipality=municipality)
    barrier = threading.Barrier(2)
    errors = []

    def append(contract):
        try:
            barrier.wait(timeout=10)
            for _ in range(10):
                audit_record(instance=contract, action="create")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(c,)) for c in contracts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(
        AuditEntry.objects.filter(municipality=municipality).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 21))
    assert run() == (0, "20 entries verified\n", "")
