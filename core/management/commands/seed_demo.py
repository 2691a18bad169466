"""``manage.py seed_demo``: the demo city (see ``core.demo``).

It lives in ``core`` and imports no app: the apps plug in through their AppConfig, with
``demo_seeders`` (run by ``core.demo.seed``) and ``demo_logins`` (printers of the logins they
seeded, e.g. ``accounts.demo.print_logins``).
"""

import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import demo


class Command(BaseCommand):
    help = gettext_noop(
        "Loads (or refreshes) the demo: Chihuahua's published green spaces, garbage routes and "
        "lighting areas, the rural municipality of Villaflores and one demo login per role. "
        "Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--spaces",
            type=int,
            default=demo.DEFAULT_SPACE_COUNT,
            help=gettext_lazy(
                "How many invented green spaces to add to the 300 published ones "
                "(default %(default)s)."
            ),
        )
        parser.add_argument(
            "--allow-demo-users",
            action="store_true",
            help=gettext_lazy("Create the demo logins even though DEBUG is off."),
        )
        parser.add_argument(
            "--no-users",
            action="store_true",
            help=gettext_lazy("Load the data only, with no demo logins."),
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help=gettext_lazy("Only print the demo logins already loaded."),
        )

    def handle(self, *args, spaces, allow_demo_users, no_users, print_logins, **options):
        if print_logins:
            self.print_logins()
            return
        if not no_users and not settings.DEBUG and not allow_demo_users:
            raise CommandError(
                _(
                    "DEBUG is off, so seed_demo will not create the demo logins (they share a "
                    "published password). Pass --allow-demo-users to create them anyway, or "
                    "--no-users to load only the data. Nothing was created."
                )
            )
        verbose = options["verbosity"] > 1
        started = time.monotonic()
        try:
            context = demo.seed(
                spaces=spaces,
                with_users=not no_users,
                log=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
            )
        except demo.DemoError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(_("Demo data loaded in %(seconds).1f s.") % {"seconds": elapsed})
        )
        for label, queryset in context.counts:
            self.stdout.write(f"  {label}: {queryset.count():,}")
        if not no_users:
            self.print_logins()

    def print_logins(self):
        for app_config in apps.get_app_configs():
            for printer in getattr(app_config, "demo_logins", ()):
                import_string(printer)(stdout=self.stdout, style=self.style)
