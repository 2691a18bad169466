"""The guardians program's one custom signal, for the apps built on it.

``card_filed`` is sent once a new card's transaction has committed (``services.card_submit``;
never inside the transaction, so a worker always finds the rows, and never for a card submitted
again), with ``sender=Card`` and ``card=`` the card. The findings app listens
(``FindingsConfig.ready``): it reconciles the card with the service status at once, and lets a
lead guardian's follow-up card verify or reopen findings.

A receiver runs in the request that filed the card, after the commit: it should only enqueue
work (``core.outbox.enqueue``), which survives a broker outage. The guardians' own work on a
card (the e-mail to the staff) is enqueued by the service itself, where a reader sees it.
"""

from django.dispatch import Signal

card_filed = Signal()
