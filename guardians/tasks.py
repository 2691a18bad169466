"""Celery tasks of the guardians program: thin, they re-read rows and call one service.

A card with failures is its own outbox row until ``staff_notified_at`` is set: ``card_filed``
(enqueued on commit) e-mails the staff at once, and ``sweep_card_notifications`` (every minute,
see ``GuardiansConfig.sweepers``) sends whatever it could not, e.g. while the broker was down.
"""

from celery import shared_task

from .models import Card
from .services import card_notify_staff, cards_notify_staff_pending


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def card_filed(card_id: int) -> bool:
    """After a card is committed: e-mails the Sindicatura staff when it reports failures.

    Safe to run twice, or at once with the sweeper: the service claims the card under a row
    lock and marks it in the transaction that sends.
    """
    card = Card.objects.select_related("municipality", "space").filter(pk=card_id).first()
    if card is None:
        return False
    return card_notify_staff(card=card)


@shared_task(acks_late=True, time_limit=300)
def sweep_card_notifications() -> int:
    """The periodic sweeper: cards with failures whose staff e-mail is pending after a minute."""
    return cards_notify_staff_pending()
