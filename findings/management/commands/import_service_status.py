"""``manage.py import_service_status work-logs FILE.csv --municipality SLUG``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from territory.models import Municipality

from ...imports import KINDS, read_csv, service_status_import
from ...models import ReportedBy


class Command(BaseCommand):
    help = gettext_noop(
        "Imports work logs or known issues from a CSV file (columns as in the API: service, "
        "space or service_area, done_on or since, description, item_code, external_id...). "
        "All or nothing: one bad row and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path")
        parser.add_argument("--municipality", required=True, help=gettext_lazy("Its slug."))
        parser.add_argument(
            "--reported-by", choices=ReportedBy.values, default=ReportedBy.DIRECTORATE
        )

    def handle(self, *args, kind, path, municipality, reported_by, **options):
        try:
            municipality = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist as error:
            raise CommandError(_("No municipality %(slug)s.") % {"slug": municipality}) from error
        with open(path, "rb") as handle:
            rows = read_csv(handle.read())
        report = service_status_import(
            municipality=municipality, kind=kind, rows=rows, reported_by=reported_by
        )
        if not report.ok:
            for line, message in report.errors:
                self.stderr.write(
                    _("Line %(line)s: %(message)s") % {"line": line, "message": message}
                )
            raise CommandError(
                _("%(count)s bad rows: nothing was imported.") % {"count": len(report.errors)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)s rows imported, %(skipped)s already there.")
                % {"created": report.created, "skipped": report.skipped}
            )
        )
