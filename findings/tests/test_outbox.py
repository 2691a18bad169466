import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from findings import tasks
from findings.models import Finding, Message, Outbox
from findings.services import (
    directorate_digest_set,
    findings_escalate,
    findings_reconcile,
    outbox_deliver_due,
    outbox_send_digests,
)

pytestmark = pytest.mark.django_db


def grass_finding(world, space=None):
    world.file(space=space or world.spaces[0], **{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    return Finding.objects.get(item_code="grass-cut", space=space or world.spaces[0])


def test_delivery_emails_the_directorate_and_fills_its_staffs_inbox(world):
    finding = grass_finding(world)

    sent = outbox_deliver_due()

    assert sent == 2  # the card's finding and the overdue mowing
    message = next(m for m in mail.outbox if f"#{finding.pk}" in m.subject)
    assert message.to == ["parques@example.org"]
    assert "grass" in message.body.lower() or finding.item_text in message.body
    assert Message.objects.filter(user=world.parks_staff, finding=finding).count() == 1
    assert not Message.objects.filter(user=world.lights_staff).exists()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.NOTIFIED
    assert Outbox.objects.get(finding=finding).status == "sent"
    assert outbox_deliver_due() == 0
    assert len(mail.outbox) == 2


def test_broker_down_keeps_the_notification_and_the_sweeper_sends_it_once(
    world, django_capture_on_commit_callbacks
):
    world.file(**{"grass-cut": "no"})
    with (
        mock.patch.object(tasks.deliver_outbox, "delay", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        findings_reconcile(municipality=world.municipality)

    assert Outbox.objects.filter(status="pending").count() == 2
    assert mail.outbox == []

    # The broker is back: beat runs the sweeper.
    tasks.deliver_outbox.apply()
    tasks.deliver_outbox.apply()

    assert len(mail.outbox) == 2
    assert Outbox.objects.filter(status="sent").count() == 2


def test_a_failed_send_backs_off_and_is_retried_later(world):
    grass_finding(world)
    with mock.patch("findings.services.send_mail", side_effect=ConnectionRefusedError("smtp")):
        assert outbox_deliver_due() == 0
    row = Outbox.objects.order_by("id").first()
    assert row.status == "pending"
    assert row.attempts == 1
    assert "smtp" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert not Message.objects.exists()  # rolled back with the failed send

    assert outbox_deliver_due() == 0  # not due yet
    assert outbox_deliver_due() == 0
    Outbox.objects.update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 2
    assert len(mail.outbox) == 2


def test_daily_digest_sends_one_email_per_directorate(world):
    directorate_digest_set(directorate=world.parks, daily_digest=True)
    world.file(**{"grass-cut": "no", "litter-removed": "no"})
    findings_reconcile(municipality=world.municipality)

    assert outbox_deliver_due() == 0  # waiting for the digest
    assert outbox_send_digests() == 1
    assert outbox_send_digests() == 0

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["parques@example.org"]
    assert digest.body.count("\n- #") == 3
    assert Message.objects.filter(user=world.parks_staff).count() == 3
    assert set(Finding.objects.values_list("status", flat=True)) == {"notified"}


def test_unacknowledged_findings_escalate_to_the_sindicatura_once(world, settings):
    settings.FINDINGS_ESCALATION_DAYS = 5
    finding = grass_finding(world)
    outbox_deliver_due()
    mail.outbox.clear()
    Finding.objects.filter(pk=finding.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=6)
    )

    assert findings_escalate() == 1
    assert findings_escalate() == 0
    outbox_deliver_due()

    finding.refresh_from_db()
    assert finding.escalated_at is not None
    assert [m.to for m in mail.outbox] == [["sindicatura@example.org"]]
    assert Message.objects.filter(user=world.sindicatura, finding=finding).exists()


def test_acknowledged_findings_do_not_escalate(world):
    from findings.services import finding_acknowledge

    finding = grass_finding(world)
    finding_acknowledge(finding=finding, user=world.parks_staff)
    Finding.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))
    Finding.objects.exclude(pk=finding.pk).delete()
    assert findings_escalate() == 0
