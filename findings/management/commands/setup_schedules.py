"""``manage.py setup_schedules``: registers the periodic tasks with
django-celery-beat (run by deploy and by seed_demo; safe to run again)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_noop

from ...schedules import schedules_setup


class Command(BaseCommand):
    help = gettext_noop("Registers the periodic tasks of the findings (safe to run again).")

    def handle(self, *args, **options):
        for name in schedules_setup():
            self.stdout.write(f"  {name}")
