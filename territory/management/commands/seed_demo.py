"""``manage.py seed_demo``: the synthetic demo city (see ``territory.demo``)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Role, User
from contracts.models import Company, Contract
from territory import demo
from territory.models import Colonia, Municipality, PublicSpace, ServiceArea


class Command(BaseCommand):
    help = gettext_noop(
        "Loads (or refreshes) the demo: a synthetic city modelled on Chihuahua, the rural "
        "municipality of Villaflores and one demo login per role. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--spaces",
            type=int,
            default=demo.DEFAULT_SPACE_COUNT,
            help=gettext_lazy("How many green spaces to create (default %(default)s)."),
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
        if spaces < demo.MIN_SPACE_COUNT:
            raise CommandError(
                _("--spaces must be at least %(minimum)d.") % {"minimum": demo.MIN_SPACE_COUNT}
            )
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
        demo.seed(
            spaces=spaces,
            with_users=not no_users,
            log=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(_("Demo data loaded in %(seconds).1f s.") % {"seconds": elapsed})
        )
        self.print_counts()
        if not no_users:
            self.print_logins()

    def print_counts(self):
        rows = [
            (_("Municipalities"), Municipality.objects.count()),
            (_("Colonias and localities"), Colonia.objects.count()),
            (_("Public spaces"), PublicSpace.objects.count()),
            (_("Service areas"), ServiceArea.objects.count()),
            (_("Companies"), Company.objects.count()),
            (_("Contracts"), Contract.objects.count()),
        ]
        for label, count in rows:
            self.stdout.write(f"  {label}: {count:,}")

    def print_logins(self):
        users = {
            user.username: user
            for user in User.objects.filter(
                username__in=[spec.username for spec in demo.DEMO_USERS], is_demo=True
            ).select_related("municipality")
        }
        if not users:
            self.stdout.write(_("No demo logins: run `manage.py seed_demo` to create them."))
            return
        header = (_("Username"), _("Role"), _("Municipality"))
        rows = [
            (
                spec.username,
                str(Role(spec.role).label),
                users[spec.username].municipality.name
                if users[spec.username].municipality
                else _("all (deployment administrator)"),
            )
            for spec in demo.DEMO_USERS
            if spec.username in users
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(
            _("Demo logins (password: %(password)s)") % {"password": demo.DEMO_PASSWORD}
        )
        for row in [header, tuple("-" * width for width in widths), *rows]:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
        if not (settings.DEBUG or settings.ALLOW_DEMO_USERS):
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "DEBUG is off: these logins are refused until you set "
                        "ALLOW_DEMO_USERS=true in the environment (or DEBUG=true)."
                    )
                )
            )
