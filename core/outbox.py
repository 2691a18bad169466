"""The one way a write hands work to Celery, and the one way a notification is claimed.

Every notification is owed by a row written in the transaction of the change that causes it
(a complaint update's pending flags, a card's ``staff_notified_at``, the findings' outbox
table). The change then:

1. **enqueues** the task that sends it, by name, once the transaction commits
   (:func:`enqueue_on_commit`): a service names a task (``"findings.tasks.deliver_outbox"``)
   and never imports the tasks module, which imports the services; a broker outage is
   logged and the request goes on;
2. the task, or the periodic sweeper that catches up on whatever could not be enqueued,
   **claims** the pending rows (:func:`claim_pending`): locks them, skipping those another run
   holds, and **marks** them sent, in the transaction that sends. If sending fails the mark
   rolls back and a later run sends; two runs never both send.
"""

import logging
import threading
from functools import partial

from celery import Task, current_app
from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

_discovery_lock = threading.Lock()


class ClaimLost(Exception):
    """Another run marked some of the rows this run had read (possible only without row
    locks): raised so that the caller's transaction rolls back the marks this run wrote."""


def enqueue(name: str, *args) -> bool:
    """Sends the task registered as ``name`` with ``args`` (run inline where Celery is eager),
    or logs a warning and returns ``False`` when the broker is unreachable.

    Use it only for work that something else catches up on (the nightly reconciliation, an
    outbox sweeper): the caller's data is already committed and must not turn into an error.
    """
    task = _registered(name)
    try:
        task.delay(*args)
    except (OperationalError, ConnectionError, OSError) as error:
        logger.warning("%s%r not enqueued, broker unreachable: %s", name, args, error)
        return False
    return True


def enqueue_or_run(name: str, *args) -> None:
    """Sends the task, or runs it here when the broker is unreachable: for work that no row
    owes and a person is waiting for (a confirmation link, where double opt-in stores nothing
    before the confirmation, so no sweeper could catch up). A failure to run is logged: the
    person can ask again."""
    if enqueue(name, *args):
        return
    try:
        _registered(name).run(*args)
    except Exception:  # the request has succeeded; the person can ask for a new link
        logger.exception("%s%r could not run in place of the broker", name, args)


def enqueue_or_run_on_commit(name: str, *args) -> None:
    """:func:`enqueue_or_run` once the current transaction commits."""
    transaction.on_commit(partial(enqueue_or_run, name, *args))


def enqueue_on_commit(name: str, *args) -> None:
    """Enqueues once the current transaction commits (never inside it: a worker must find the
    rows), tolerating a broker outage as :func:`enqueue` does."""
    transaction.on_commit(partial(enqueue, name, *args))


def _registered(name: str) -> Task:
    """The task registered as ``name``. A worker imports every app's ``tasks`` module when it
    starts; a web process imports none, so the first enqueue runs Celery's discovery. A name
    that no app registers raises ``celery.exceptions.NotRegistered``."""
    app = current_app
    if name not in app.tasks:
        with _discovery_lock:
            app.autodiscover_tasks([config.name for config in apps.get_app_configs()], force=True)
    return app.tasks[name]


def claim_pending(
    queryset: QuerySet, *, pending: dict, mark: dict, limit: int | None = None
) -> list[int]:
    """Inside the caller's transaction, locks the rows of ``queryset`` that are still
    ``pending`` (at most ``limit``, in the queryset's order), skipping those another run holds,
    writes ``mark`` on them and returns their primary keys. The caller sends in the same
    transaction: if sending fails the marks roll back, so a retry or the sweeper sends later,
    and two runs never both send.

    For one row, filter the queryset on its primary key: an empty list means another run has
    it, or had it."""
    locked = list(
        queryset.select_for_update(skip_locked=True)
        .filter(**pending)
        .values_list("pk", flat=True)[:limit]
    )
    if not locked:
        return []
    # SQLite has no row locks: there this conditional UPDATE, which takes the database's
    # write lock until the commit, is what keeps a second run from sending.
    marked = queryset.model._base_manager.filter(pk__in=locked, **pending).update(**mark)
    if marked == 0:
        return []
    if marked != len(locked):
        raise ClaimLost(f"{queryset.model._meta.label}: {marked} of {len(locked)} rows claimed")
    return locked
