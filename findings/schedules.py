"""The periodic tasks, registered with django-celery-beat's database scheduler: the findings'
own, and the daily jobs and sweepers that other apps name in their AppConfig (``crontabs``,
``sweepers``)."""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

CRONTABS = {
    # name: (task, minute, hour)
    "findings: nightly reconciliation": ("findings.tasks.reconcile_all", "15", "2"),
    "findings: escalate unanswered findings": ("findings.tasks.escalate_findings", "0", "7"),
    "findings: daily digests": ("findings.tasks.send_digests", "0", "8"),
}
SWEEPER = ("findings: outbox sweeper", "findings.tasks.deliver_outbox", 60)


def crontabs() -> dict[str, tuple[str, str, str]]:
    """name: (task, minute, hour) of each daily job: the findings' own, and those the apps
    name in their AppConfig (``AppConfig.crontabs``, e.g. the audit trail's signed heads)."""
    found = dict(CRONTABS)
    for config in apps.get_app_configs():
        for name, task, minute, hour in getattr(config, "crontabs", []):
            found[name] = (task, minute, hour)
    return found


def sweepers() -> list[tuple[str, str, int]]:
    """(name, task, every so many seconds) of each outbox sweeper: the findings' outbox, and
    the apps whose rows are their own outbox (``AppConfig.sweepers``, e.g. complaints)."""
    found = [SWEEPER]
    for config in apps.get_app_configs():
        found += getattr(config, "sweepers", [])
    return found


@transaction.atomic
def schedules_setup() -> list[str]:
    names = []
    for name, (task, minute, hour) in crontabs().items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "interval": None, "enabled": True},
        )
        names.append(name)
    for name, task, seconds in sweepers():
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=seconds, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "interval": interval, "crontab": None, "enabled": True},
        )
        names.append(name)
    return names
