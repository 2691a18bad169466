"""Celery tasks of the complaints app: thin, they re-read rows and call one service.

The e-mails of a status change are written with it (``ComplaintUpdate``'s pending flags): the
tasks enqueued on commit send them at once, and ``sweep_notifications`` (every minute, see
``ComplaintsConfig.sweepers``) sends whatever they could not, e.g. while the broker was down.
Each e-mail is claimed under a row lock before it is sent, so none is sent twice.
"""

from celery import shared_task

from .models import ComplaintUpdate, FixedQuestion
from .services import (
    complaint_notify_followers,
    complaint_notify_reporter,
    complaint_updates_notify_pending,
    fixed_question_send,
    fixed_questions_send_pending,
    follow_confirmation_send,
)


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60, time_limit=60)
def notify_reporter_task(update_id: int) -> bool:
    """Tells the reporter of a status change, once: a second delivery of the task, or the
    sweeper, finds the e-mail already claimed. If sending fails, the sweeper sends it later."""
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


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60, time_limit=60)
def ask_fixed_task(question_id: int) -> bool:
    """E-mails the reporter "Has it been fixed?", once; the sweeper sends it if this fails."""
    question = FixedQuestion.objects.filter(pk=question_id).first()
    if question is None:
        return False
    return fixed_question_send(question=question)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=3,
    default_retry_delay=60,
    time_limit=60,
)
def send_follow_confirmation_task(token: str) -> bool:
    """E-mails the link that confirms a follower (nothing is stored until it is followed)."""
    return follow_confirmation_send(token=token)


@shared_task(acks_late=True, time_limit=300)
def sweep_notifications() -> int:
    """The periodic sweeper: e-mails of status changes, and "Has it been fixed?" questions,
    still pending after a minute."""
    return complaint_updates_notify_pending() + fixed_questions_send_pending()
