from celery import shared_task

from .models import ComplaintUpdate
from .services import complaint_notify_followers, complaint_notify_reporter


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60, time_limit=60)
def notify_reporter_task(update_id: int) -> bool:
    """Tells the reporter of a status change. An update is notified at most once per run of
    the task; a second delivery of the same message may resend the e-mail (acceptable)."""
    update = ComplaintUpdate.objects.filter(pk=update_id).first()
    if update is None:
        return False
    return complaint_notify_reporter(update=update)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),  # SMTP errors are OSErrors
    max_retries=3,
    default_retry_delay=60,
    time_limit=600,
)
def notify_followers_task(update_id: int) -> int:
    """Tells every follower of a status change; followers already told are skipped, so a
    retry or a second delivery does not e-mail them twice."""
    update = ComplaintUpdate.objects.filter(pk=update_id).first()
    if update is None:
        return 0
    return complaint_notify_followers(update=update)
