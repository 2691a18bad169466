import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from findings.models import Finding, Message, Outbox
from findings.selectors import finding_evidence
from findings.services import (
    finding_acknowledge,
    finding_answer,
    finding_dispute,
    finding_reopen,
    finding_resolve,
    finding_transition,
    finding_verify_from_card,
    findings_reconcile,
    outbox_deliver_due,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(world):
    world.file(**{"grass-cut": "no"}, days_ago=2)
    findings_reconcile(municipality=world.municipality)
    return Finding.objects.get(item_code="grass-cut")


def test_the_workflow_records_every_step(world, finding):
    finding_acknowledge(finding=finding, user=world.parks_staff, note="Vamos")
    finding_answer(finding=finding, user=world.parks_staff, note="Cuadrilla asignada")
    finding_resolve(finding=finding, user=world.parks_staff, note="Pasto cortado")

    finding.refresh_from_db()
    assert finding.status == "resolved"
    assert finding.acknowledged_at and finding.resolved_at
    assert list(finding.events.values_list("from_status", "to_status")) == [
        ("open", "acknowledged"),
        ("acknowledged", "acknowledged"),
        ("acknowledged", "resolved"),
    ]


@pytest.mark.parametrize("target", ["verified", "reopened", "open"])
def test_transitions_the_workflow_does_not_allow_are_refused(world, finding, target):
    with pytest.raises(ValidationError):
        finding_transition(finding=finding, to_status=target, user=world.sindicatura, note="x")
    finding.refresh_from_db()
    assert finding.status == "open"


def test_dispute_and_reopen_need_a_reason(world, finding):
    with pytest.raises(ValidationError):
        finding_dispute(finding=finding, user=world.parks_staff, reason=" ")
    finding_dispute(finding=finding, user=world.parks_staff, reason="El parque no es nuestro")
    finding_reopen(finding=finding, user=world.sindicatura, reason="Sí lo es, ver contrato")
    finding.refresh_from_db()
    assert finding.status == "reopened"
    assert finding.cycle == 1


def test_resolving_asks_the_lead_guardian_to_check(world, finding):
    outbox_deliver_due()
    mail.outbox.clear()

    finding_resolve(finding=finding, user=world.parks_staff)
    outbox_deliver_due()

    assert Outbox.objects.filter(finding=finding, event="check").count() == 1
    assert [m.to for m in mail.outbox] == [[world.lead.user.email]]
    assert Message.objects.filter(user=world.lead.user, finding=finding).exists()
    assert not Message.objects.filter(user=world.guardian.user, finding=finding).exists()


def test_lead_guardians_passing_follow_up_card_verifies_the_finding(world, finding):
    finding_resolve(finding=finding, user=world.parks_staff)
    card = world.file(guardian=world.lead, days_ago=0)

    changed = finding_verify_from_card(card=card)

    finding.refresh_from_db()
    assert [f.pk for f in changed] == [finding.pk]
    assert finding.status == "verified"
    assert finding.verified_at is not None
    assert finding_verify_from_card(card=card) == []


def test_lead_guardians_failing_follow_up_card_reopens_it(world, finding):
    finding_resolve(finding=finding, user=world.parks_staff)
    card = world.file(guardian=world.lead, days_ago=0, **{"grass-cut": "no"})

    finding_verify_from_card(card=card)
    findings_reconcile(municipality=world.municipality)

    finding.refresh_from_db()
    assert finding.status == "reopened"
    assert finding.cycle == 1
    # The failing answer is more evidence of the same finding, not a new one.
    assert Finding.objects.filter(item_code="grass-cut").count() == 1
    assert finding_evidence(finding=finding).count() == 2


def test_a_card_by_a_guardian_who_is_not_the_lead_does_not_verify(world, finding):
    finding_resolve(finding=finding, user=world.parks_staff)
    card = world.file(guardian=world.guardian, days_ago=0)
    assert finding_verify_from_card(card=card) == []
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_a_card_observed_before_the_fix_does_not_verify(world, finding):
    finding_resolve(finding=finding, user=world.parks_staff)
    card = world.file(guardian=world.lead, days_ago=3)
    assert finding_verify_from_card(card=card) == []


def test_filing_the_follow_up_card_closes_the_loop_on_commit(
    world, finding, eager_celery, django_capture_on_commit_callbacks
):
    finding_resolve(finding=finding, user=world.parks_staff)
    with django_capture_on_commit_callbacks(execute=True):
        world.file(guardian=world.lead, days_ago=0)
    finding.refresh_from_db()
    assert finding.status == "verified"
