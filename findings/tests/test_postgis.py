"""findings.postgis against its portable twin: on PostGIS, a run whose finding inserts also
write their outbox rows (postgis.raise_and_notify) leaves the rows that the portable pass at the
end of the run (reconcile._notify) leaves. Marked services: findings/postgis.py says how to run
it."""

import datetime

import pytest
from django.db import transaction

from findings import reconcile
from findings.models import Finding, Outbox
from findings.service_status import work_log_create

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def _rows() -> tuple[list, list]:
    findings = Finding.objects.values_list(
        "kind",
        "severity",
        "status",
        "service_type_id",
        "space_id",
        "colonia_id",
        "item_code",
        "directorate_id",
        "contract_id",
        "company_id",
        "obligation_id",
        "period_start",
        "period_end",
        "response_hours",
    )
    outbox = Outbox.objects.values_list(
        "municipality_id",
        "event",
        "finding__kind",
        "finding__space_id",
        "finding__obligation_id",
        "cycle",
        "directorate_id",
        "digest",
        "status",
        "attempts",
    )
    return sorted(findings, key=repr), sorted(outbox, key=repr)


def _run(world, monkeypatch, *, while_raising: bool):
    """The run through one form, undone afterwards (the other form meets the same cards)."""
    monkeypatch.setattr(reconcile, "_notify_while_raising", lambda: while_raising)
    with transaction.atomic():
        result = reconcile.reconcile(municipality_id=world.municipality.pk, today=world.today)
        rows = _rows()
        transaction.set_rollback(True)
    return result, rows


def test_raising_and_notifying_in_one_statement_writes_what_the_portable_pass_writes(
    world, monkeypatch
):
    work_log_create(
        municipality=world.municipality,
        service_type=world.green,
        space=world.spaces[2],
        done_on=world.today - datetime.timedelta(days=2),
        description="Se cortó el pasto",
        reported_by="contractor",
    )
    world.file(**{"grass-cut": "no", "litter-removed": "no"})  # unreported, under the contract
    world.file(space=world.spaces[2], **{"grass-cut": "no"})  # contradicted by its work log

    one_statement, by_cte = _run(world, monkeypatch, while_raising=True)
    portable, by_pass = _run(world, monkeypatch, while_raising=False)

    assert by_cte == by_pass
    assert vars(one_statement) == vars(portable)
    findings, outbox = by_cte
    assert {row[0] for row in findings} == {
        Finding.Kind.UNREPORTED,
        Finding.Kind.CONTRADICTION,
        Finding.Kind.OVERDUE,
    }
    assert len(outbox) == len(findings) == one_statement.notifications
