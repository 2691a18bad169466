"""Celery tasks of the guardians program: thin, they re-read rows and call one service."""

from celery import shared_task

from .models import Card
from .services import card_notify_staff


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def card_filed(card_id: int) -> bool:
    """After a card is committed: e-mails the Sindicatura staff when it reports failures.

    Safe to run twice: the service claims the card before sending.
    """
    card = Card.objects.select_related("municipality", "space").filter(pk=card_id).first()
    if card is None:
        return False
    return card_notify_staff(card=card)
