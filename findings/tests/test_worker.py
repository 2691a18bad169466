"""With the real services: PostGIS, a Redis broker and a Celery worker (CI's services run).

``transaction=True``: the worker thread has its own database connection and must see the
rows the test committed.
"""

import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from kombu.exceptions import OperationalError

from findings import tasks
from findings.models import Finding, Outbox
from findings.selectors import evidence_count
from findings.services import findings_reconcile, outbox_deliver_due

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    assert not app.conf.task_always_eager
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def findings_mail():
    """E-mails of this app (guardians' own task e-mails the Sindicatura about each card)."""
    return [
        m
        for m in mail.outbox
        if "sindicatura" not in " ".join(m.to) and "sindico" not in " ".join(m.to)
    ]


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_filed_card_is_reconciled_and_notified_by_the_worker(world, celery_worker):
    world.file(**{"grass-cut": "no"})  # commits: the hooks enqueue on commit

    assert wait_for(lambda: Outbox.objects.filter(status="sent").exists())
    finding = Finding.objects.get(item_code="grass-cut")
    assert finding.kind == "unreported"
    assert wait_for(lambda: len(findings_mail()) == 1)
    assert findings_mail()[0].to == ["parques@example.org"]
    finding.refresh_from_db()
    assert finding.status == "notified"


def test_broker_down_then_back_the_sweeper_sends_exactly_once(world, celery_worker):
    world_card = world.file  # no reconcile hook run while "down": patched below
    with mock.patch.object(tasks.reconcile_card, "delay", side_effect=OperationalError("down")):
        world_card(**{"grass-cut": "no"})
    with mock.patch.object(tasks.deliver_outbox, "delay", side_effect=OperationalError("down")):
        findings_reconcile(municipality=world.municipality)  # nightly run, broker down
    assert Outbox.objects.filter(status="pending").count() == 2
    assert findings_mail() == []

    # Back: beat's sweeper enqueues the delivery, the worker sends; a second sweep sends none.
    tasks.deliver_outbox.delay()
    assert wait_for(lambda: Outbox.objects.filter(status="sent").count() == 2)
    tasks.deliver_outbox.delay()
    time.sleep(1)
    assert len(findings_mail()) == 2


def _in_threads(target, count=2):
    errors = []
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_two_reconciliations_at_once_give_the_same_rows_as_one(world):
    with (
        mock.patch.object(tasks.reconcile_card, "delay"),
        mock.patch.object(tasks.verify_from_card, "delay"),
    ):
        for space in world.spaces:
            world.file(space=space, **{"grass-cut": "no", "litter-removed": "no"})
    with mock.patch.object(tasks.deliver_outbox, "delay"):
        errors = _in_threads(lambda: findings_reconcile(municipality=world.municipality), 4)
    assert errors == []
    assert Finding.objects.count() == 7  # 3 spaces × 2 items, and the overdue mowing
    assert sum(Finding.objects.annotate(n=evidence_count()).values_list("n", flat=True)) == 6
    assert Outbox.objects.count() == 7


def test_two_deliveries_at_once_send_each_notification_once(world):
    with (
        mock.patch.object(tasks.reconcile_card, "delay"),
        mock.patch.object(tasks.verify_from_card, "delay"),
    ):
        for space in world.spaces:
            world.file(space=space, **{"grass-cut": "no", "litter-removed": "no"})
    with mock.patch.object(tasks.deliver_outbox, "delay"):
        findings_reconcile(municipality=world.municipality)

    errors = _in_threads(outbox_deliver_due, 3)

    assert errors == []
    assert len(findings_mail()) == 7
    assert Outbox.objects.filter(status="sent").count() == 7
