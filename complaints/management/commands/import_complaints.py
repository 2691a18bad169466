from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaints.imports import complaints_import_csv
from territory.models import Municipality


class Command(BaseCommand):
    help = (
        "Imports historical complaints from a CSV export of the 072 call centre. All or "
        "nothing: one rejected row and nothing is imported. Folios already imported are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", help="Slug; by default the default municipality.")
        parser.add_argument("--dry-run", action="store_true", help="Check the rows, write nothing.")

    def handle(self, *args, file, municipality=None, dry_run=False, **options):
        query = {"slug": municipality} if municipality else {"is_default": True}
        found = Municipality.objects.filter(**query).first()
        if found is None:
            raise CommandError("No such municipality: give --municipality SLUG.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        result = complaints_import_csv(municipality=found, data=data, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(error)
        for row in result.rejected:
            self.stderr.write(f"line {row.line} (folio {row.folio or '-'}): {row.reason}")
        if not result.ok:
            raise CommandError(
                f"Nothing imported: {len(result.rejected)} rejected rows, "
                f"{len(result.errors)} errors."
            )
        self.stdout.write(
            f"{result.created} complaints imported, {result.skipped} already imported."
        )
