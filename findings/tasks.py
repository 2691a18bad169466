"""Celery tasks of the findings app: thin, they re-read rows and call one service.

Every task is safe to run twice or twice at once: reconciliation inserts with ON CONFLICT DO
NOTHING under a lock, delivery claims each outbox row with SELECT … FOR UPDATE SKIP LOCKED.
"""

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError

from guardians.models import Card
from territory.models import Municipality

from . import services

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseOperationalError, ConnectionError),
    "max_retries": 5,
    "retry_backoff": True,
    "retry_backoff_max": 600,
}


# reject_on_worker_lost: with acks_late alone, a pool child that dies mid-run (the OOM killer,
# a crash) gets its message acknowledged, and the cards wait for the next night. Requeued
# instead, the run starts again at once: the dead child's transaction rolled back and the run is
# idempotent (tests/test_faults_worker.py). The cost: a run that killed its child every time
# would come back forever; a time limit does not (a timeout is acknowledged).
@shared_task(**RETRY, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1700)
def reconcile_all(municipality_id: int | None = None) -> dict:
    """Nightly: every card not yet handled and every obligation's last period."""
    municipality = None
    if municipality_id is not None:
        municipality = Municipality.objects.filter(pk=municipality_id).first()
        if municipality is None:
            return {}
    return vars(services.findings_reconcile(municipality=municipality))


@shared_task(**RETRY, time_limit=120)
def reconcile_card(card_id: int) -> dict:
    """Right after a card is filed (``findings.receivers.card_filed``)."""
    card = Card.objects.filter(pk=card_id).first()
    if card is None:
        return {}
    return vars(services.card_reconcile(card=card))


@shared_task(**RETRY, time_limit=120)
def verify_from_card(card_id: int) -> int:
    """Close the loop: a lead guardian's follow-up card verifies or reopens findings
    (``findings.receivers.card_filed``)."""
    card = Card.objects.filter(pk=card_id).first()
    if card is None:
        return 0
    return len(services.finding_verify_from_card(card=card))


@shared_task(**RETRY, time_limit=300)
def deliver_outbox() -> int:
    """Delivers pending notifications. Also the periodic sweeper: whatever could not be
    enqueued while the broker was down is sent on its next run."""
    return services.outbox_deliver_due()


@shared_task(**RETRY, time_limit=600)
def send_digests() -> int:
    return services.outbox_send_digests()


@shared_task(**RETRY, time_limit=300)
def escalate_findings() -> int:
    return services.findings_escalate()
