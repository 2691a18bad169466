"""Enqueueing Celery tasks without letting a broker outage break the request that asked."""

import logging
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """``task.delay(*args)``, or a logged warning when the broker is unreachable.

    Use it only for work that something else catches up on (the nightly reconciliation, the
    outbox sweeper): the caller's data is already committed and must not turn into an error.
    """
    try:
        task.delay(*args)
    except (OperationalError, ConnectionError, OSError) as error:
        logger.warning("%s%r not enqueued, broker unreachable: %s", task.name, args, error)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Enqueue once the current transaction commits (never inside it: a worker must find the
    rows), tolerating a broker outage as :func:`enqueue` does."""
    transaction.on_commit(partial(enqueue, task, *args))
