"""What the findings app does when another app's event happens (connected in
``FindingsConfig.ready``). Receivers only enqueue: the work is the tasks'."""

from core import outbox


def card_filed(sender, *, card, **kwargs) -> None:
    """``guardians.signals.card_filed``, after the card's commit: a lead guardian's follow-up
    card verifies or reopens resolved findings, and the card is reconciled with the service
    status at once. If the broker is down, the nightly run reconciles every card not yet
    handled."""
    outbox.enqueue("findings.tasks.verify_from_card", card.pk)
    outbox.enqueue("findings.tasks.reconcile_card", card.pk)
