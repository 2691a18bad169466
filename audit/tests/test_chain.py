"""The chain is keyed: whoever can rewrite the table but does not hold AUDIT_HMAC_KEY cannot
recompute it, and a published head pins it against a rewrite by whoever does."""

import datetime
import hashlib
import json
import logging
import secrets
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone

from audit.chain import head_signature_valid
from audit.checks import audit_key_check
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import audit_record, entry_hash
from audit.tasks import log_heads
from contracts.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(municipality):
    return [
        audit_record(instance=ContractFactory(municipality=municipality), action="create")
        for _ in range(5)
    ]


def plain_sha256(entry, previous_hash):
    """The unkeyed hash of the first version of the trail, as anyone can recompute it."""
    payload = {
        "municipality": entry.municipality_id,
        "sequence": entry.sequence,
        "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_name": entry.actor_name,
        "is_system": entry.is_system,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "parent": entry.parent,
        "changes": entry.changes,
        "previous_hash": previous_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def rewrite_chain(municipality, *, forged_sequence, hash_function, set_version=None):
    """What a database administrator without the key can do: change one entry and recompute
    every hash from there on, straight in the table."""
    previous_hash = ""
    entries = AuditEntry.objects.filter(municipality=municipality).order_by("sequence")
    for entry in entries:
        if entry.sequence == forged_sequence:
            entry.changes = {"number": [None, "forged"]}
        entry.previous_hash = previous_hash
        if set_version is not None:
            entry.hash_version = set_version
        new_hash = hash_function(entry, previous_hash)
        columns = "changes = %s, previous_hash = %s, hash = %s"
        params = [json.dumps(entry.changes), previous_hash, new_hash]
        if set_version is not None:
            columns += ", hash_version = %s"
            params.append(set_version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE audit_auditentry SET {columns} WHERE id = %s",  # noqa: S608
                [*params, entry.pk],
            )
        previous_hash = new_hash


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_whole_chain_rewritten_with_plain_sha256_is_detected(chain, municipality):
    rewrite_chain(municipality, forged_sequence=2, hash_function=plain_sha256)
    report = audit_chain_verify()
    assert [(p.sequence, p.kind) for p in report.problems] == [(1, "altered")]


def test_a_chain_relabelled_as_unkeyed_legacy_entries_is_detected(chain, municipality):
    # The attacker also claims every entry predates the key: the chain must end keyed.
    rewrite_chain(municipality, forged_sequence=2, hash_function=plain_sha256, set_version=1)
    code, _out, err = run()
    assert code == 1
    assert "does not end with a keyed entry" in err


def test_a_whole_chain_rewritten_without_the_key_is_detected(chain, municipality):
    def guessed_key(entry, previous_hash):
        with override_settings(AUDIT_HMAC_KEY="a-guess-at-the-key"):
            return entry_hash(entry)

    rewrite_chain(municipality, forged_sequence=3, hash_function=guessed_key)
    code, _out, err = run()
    assert code == 1 and "entry 1 was altered" in err


def test_entries_are_hmac_sha256_under_the_key_from_the_settings(chain):
    entry = chain[0]
    assert entry.hash_version == 2 and entry_hash(entry) == entry.hash
    with override_settings(AUDIT_HMAC_KEY="another-key"):
        assert entry_hash(entry) != entry.hash


def head_of(entry):
    return f"{entry.sequence}:{entry.hash}"


def test_verify_audit_accepts_the_published_head_of_an_intact_chain(chain, municipality):
    code, out, err = run("--municipality", municipality.slug, "--head", head_of(chain[2]))
    assert (code, err) == (0, "")
    assert f"published head {chain[2].sequence} found" in out


def test_verify_audit_with_a_published_head_detects_truncation(chain, municipality):
    published = head_of(chain[4])
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [chain[3].pk, chain[4].pk]
        )
    # Without the head a cut tail looks like a shorter chain.
    assert run("--municipality", municipality.slug)[0] == 0
    code, _out, err = run("--municipality", municipality.slug, "--head", published)
    assert code == 1
    assert "truncated: the chain ends at entry 3, before the published head 5" in err


def test_verify_audit_with_a_published_head_detects_a_rewrite_with_the_key(chain, municipality):
    published = head_of(chain[4])
    # Even someone holding the key cannot make a rewritten chain end at the published head.
    rewrite_chain(municipality, forged_sequence=2, hash_function=lambda e, _p: entry_hash(e))
    assert run("--municipality", municipality.slug)[0] == 0
    code, _out, err = run("--municipality", municipality.slug, "--head", published)
    assert code == 1
    assert "rewritten: entry 5 does not match the published head" in err


@pytest.mark.parametrize(
    "head", ["5", "five:" + "a" * 64, "0:" + "a" * 64, "5:abc", "5:" + "g" * 64]
)
def test_verify_audit_refuses_a_malformed_head(chain, municipality, head):
    with pytest.raises(CommandError, match="SEQUENCE:HASH"):
        call_command("verify_audit", "--municipality", municipality.slug, "--head", head)


def test_verify_audit_needs_the_municipality_of_the_head(chain):
    with pytest.raises(CommandError, match="--municipality"):
        call_command("verify_audit", "--head", head_of(chain[0]))


@pytest.mark.parametrize("key", ["short", "same-as-the-secret-key-" + "x" * 40])
def test_the_deploy_check_warns_of_a_weak_audit_key(settings, key):
    settings.SECRET_KEY = "same-as-the-secret-key-" + "x" * 40
    settings.AUDIT_HMAC_KEY = key
    assert [w.id for w in audit_key_check(None)] == ["audit.W001"]
    settings.AUDIT_HMAC_KEY = secrets.token_urlsafe(50)
    assert audit_key_check(None) == []


@override_settings(AUDIT_HMAC_KEY="")
def test_without_a_key_the_trail_refuses_to_write(municipality):
    contract = ContractFactory(municipality=municipality)
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY"):
        audit_record(instance=contract, action="create")
    assert not AuditEntry.objects.exists()


# --- entries written before the key ------------------------------------------------------------


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("audit", target)])
    return executor.loader.project_state([("audit", target)]).apps


def write_unkeyed_chain(old_apps, municipality, count):
    """Entries as the trail wrote them before the key (version 0002's table)."""
    entry_model = old_apps.get_model("audit", "AuditEntry")
    previous_hash = ""
    for sequence in range(1, count + 1):
        entry = entry_model(
            municipality_id=municipality.pk,
            sequence=sequence,
            created_at=timezone.now(),
            actor_name="contract_upsert",
            is_system=True,
            action="create",
            object_type="contracts.contract",
            object_id=str(sequence),
            object_repr=f"Contract {sequence}",
            changes={"lot": [None, str(sequence)]},
            previous_hash=previous_hash,
        )
        entry.hash = plain_sha256(entry, previous_hash)
        entry.save()
        previous_hash = entry.hash


@pytest.mark.django_db(transaction=True)
def test_existing_unkeyed_chains_keep_verifying_sealed_by_the_migration(municipality, other):
    old_apps = migrate("0002_privileged_actions")
    write_unkeyed_chain(old_apps, municipality, 3)
    migrate("0003_keyed_chain")

    seal = AuditEntry.objects.get(municipality=municipality, sequence=4)
    assert (seal.hash_version, seal.object_type, seal.is_system) == (2, "audit.chain", True)
    assert not AuditEntry.objects.filter(municipality=other).exists()  # nothing to seal
    audit_record(instance=ContractFactory(municipality=municipality), action="create")
    report = audit_chain_verify()
    assert (report.verified, report.problems) == (5, [])

    # The unkeyed entries cannot be rewritten any more: the seal's HMAC covers their hash.
    rewrite_chain(municipality, forged_sequence=2, hash_function=plain_sha256)
    problems = audit_chain_verify().problems
    assert [(p.sequence, p.kind) for p in problems] == [(4, "altered")]


# --- the daily signed head -------------------------------------------------------------------


def test_the_daily_job_logs_each_municipality_s_signed_head_in_one_line(
    chain, municipality, other, caplog
):
    with caplog.at_level(logging.INFO, logger="audit.services"):
        assert log_heads() == 2  # as the worker runs it
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("audit head ")]
    assert len(lines) == 2
    heads = [json.loads(line.removeprefix("audit head ")) for line in lines]
    assert [(h["municipality"], h["sequence"]) for h in heads] == [
        (municipality.slug, 5),
        (other.slug, 0),
    ]
    assert heads[0]["hash"] == chain[-1].hash
    assert all(head_signature_valid(head) for head in heads)
    # What an auditor does with a logged head later.
    assert run("--municipality", municipality.slug, "--head", "5:" + heads[0]["hash"])[0] == 0


def test_setup_schedules_registers_the_daily_signed_heads(db):
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())
    task = PeriodicTask.objects.get(name="audit: daily signed heads")
    assert (task.task, task.crontab.hour, task.crontab.minute) == (
        "audit.tasks.log_heads",
        "0",
        "5",
    )
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert task.task in app.tasks
