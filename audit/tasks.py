"""Celery tasks of the audit trail: thin, they call one service.

``log_heads`` runs daily (``AuditConfig.crontabs``, registered by ``setup_schedules``): one log
line per municipality with its signed head, so the log archive holds a copy of every day's head
that a rewrite of the database cannot reach.
"""

from celery import shared_task

from .services import audit_heads_log


@shared_task(acks_late=True, time_limit=300)
def log_heads() -> int:
    return len(audit_heads_log())
