"""Celery tasks of the alerts app: thin, they call one service.

``send_digests`` runs once a day (``AlertsConfig.crontabs``, registered by
``setup_schedules``); a second run the same day, or a retry after a failed send, sends only the
digests not yet sent that day.
"""

from celery import shared_task

from .services import confirmation_send, digests_send


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),  # SMTP errors are OSErrors
    max_retries=3,
    default_retry_delay=60,
    time_limit=60,
)
def send_confirmation_task(token: str) -> bool:
    """E-mails the confirmation link of a sign-up (nothing is stored until it is followed)."""
    return confirmation_send(token=token)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=5,
    default_retry_delay=600,
    time_limit=1800,
)
def send_digests() -> int:
    return digests_send()
