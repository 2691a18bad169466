"""The claim step of every notification sent from a row that says it is owed (complaint
updates, cards; findings keep an outbox table of their own)."""

from django.db.models import QuerySet


def claim_pending(queryset: QuerySet, *, pk: int, pending: dict, mark: dict) -> bool:
    """Inside the caller's transaction, locks row ``pk`` if it is still ``pending`` (skipping
    it if another run holds it) and writes ``mark`` on it; returns whether this run claimed
    it. The caller sends in the same transaction: if sending fails the mark rolls back, so a
    retry or the sweeper sends later, and two runs never both send."""
    locked = (
        queryset.select_for_update(skip_locked=True)
        .filter(pk=pk, **pending)
        .values_list("pk", flat=True)
        .first()
    )
    if locked is None:
        return False
    # SQLite has no row locks: there this conditional UPDATE, which takes the database's
    # write lock until the commit, is what keeps a second run from sending.
    return bool(queryset.filter(pk=pk, **pending).update(**mark))
