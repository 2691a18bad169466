"""python manage.py import_spaces FILE [--contract NUMBER] [--service CODE] [--municipality SLUG]"""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from contracts.imports import ContractImportReport, import_spaces_file
from territory.imports import SpaceImportError
from territory.models import Municipality


class Command(BaseCommand):
    help = gettext_noop(
        "Imports green spaces, garbage-collection areas or street-lighting areas from a KML or "
        "GeoJSON file; a re-import updates by code. An invalid file writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("KML or GeoJSON file"))
        parser.add_argument(
            "--contract",
            metavar="NUMBER",
            help=gettext_lazy("Contract that covers the imported spaces or areas."),
        )
        parser.add_argument(
            "--service",
            metavar="CODE",
            help=gettext_lazy(
                "Service type code (green-spaces, garbage, lighting…) instead of the detected one."
            ),
        )
        parser.add_argument(
            "--municipality",
            metavar="SLUG",
            help=gettext_lazy("Municipality slug; the default municipality when omitted."),
        )
        parser.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=gettext_lazy("Show a progress bar (by default only on a terminal)."),
        )

    def handle(self, *args, file, contract, service, municipality, progress, **options):
        municipality = self._municipality(municipality)
        try:
            report = import_spaces_file(
                municipality=municipality,
                path=file,
                contract_number=contract,
                service_code=service,
                progress=progress,
            )
        except SpaceImportError as error:
            raise CommandError(str(error)) from error
        self._print(report, verbose=options["verbosity"] > 1)

    def _municipality(self, slug: str | None) -> Municipality:
        if slug:
            found = Municipality.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(_("No municipality with slug “%(slug)s”.") % {"slug": slug})
            return found
        found = Municipality.objects.filter(is_default=True).first()
        if found is None:
            raise CommandError(_("There is no default municipality; give --municipality."))
        return found

    def _print(self, report: ContractImportReport, *, verbose: bool) -> None:
        if report.target == "spaces":
            message = _("%(service)s: %(created)s spaces created, %(updated)s updated.")
        else:
            message = _("%(service)s: %(created)s areas created, %(updated)s updated.")
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "service": report.service_type,
                    "created": report.created,
                    "updated": report.updated,
                }
            )
        )
        if report.contract is not None:
            self.stdout.write(
                _("Contract %(number)s (%(state)s), company %(company)s (%(company_state)s).")
                % {
                    "number": report.contract.number,
                    "state": _("created") if report.contract_created else _("updated"),
                    "company": report.company,
                    "company_state": _("created") if report.company_created else _("existing"),
                }
            )
        elif report.uncovered:
            self.stdout.write(
                _("%(count)s not covered by any contract: %(directorate)s is in charge.")
                % {"count": report.uncovered, "directorate": report.directorate}
            )
        if report.companies_named and report.contract is None:
            self.stdout.write(
                _("Companies named in the file: %(companies)s.")
                % {"companies": ", ".join(report.companies_named)}
            )
        if report.contracts_named and report.contract is None:
            self.stdout.write(
                _(
                    "Contracts named in the file: %(numbers)s; the file does not say which area "
                    "each covers, nor their period. Use --contract to link them."
                )
                % {"numbers": ", ".join(report.contracts_named)}
            )
        for note in report.notes:
            self.stdout.write(note)
        summary = [
            (report.repaired, _("%(count)s polygons repaired.")),
            (report.skipped, _("%(count)s features skipped (pins and drawing leftovers).")),
        ]
        for lines, message in summary:
            if lines:
                self.stdout.write(message % {"count": len(lines)})
                if verbose:
                    for line in lines:
                        self.stdout.write(f"  {line}")
