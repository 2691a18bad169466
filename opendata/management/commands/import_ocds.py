import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opendata.services import OcdsImportError, ocds_package_import
from territory.models import Municipality


class Command(BaseCommand):
    help = gettext_noop("Imports contracts from an OCDS release package (JSON); all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("The release package (JSON)."))
        parser.add_argument(
            "--municipality",
            default="",
            help=_("Slug of the municipality (default: the default one)."),
        )
        parser.add_argument(
            "--service", default="green-spaces", help=_("Service code of new contracts.")
        )
        parser.add_argument(
            "--directorate",
            default="",
            help=_("Directorate for releases whose procuring entity is not one."),
        )

    def handle(self, *args, **options):
        slug = options["municipality"]
        municipality = (
            Municipality.objects.filter(slug=slug).first()
            if slug
            else Municipality.objects.filter(is_default=True).first()
        )
        if municipality is None:
            raise CommandError(_("No municipality %(slug)s.") % {"slug": slug or "(default)"})
        try:
            package = json.loads(options["file"].read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": error}
            ) from error
        except json.JSONDecodeError as error:
            raise CommandError(
                _("%(file)s is not JSON: %(error)s") % {"file": options["file"], "error": error}
            ) from error
        try:
            report = ocds_package_import(
                municipality=municipality,
                package=package,
                service_code=options["service"],
                directorate_name=options["directorate"],
            )
        except OcdsImportError as error:
            raise CommandError(
                _("Nothing was imported:") + "\n" + "\n".join(error.errors)
            ) from error
        self.stdout.write(
            _("%(created)s contracts created, %(updated)s updated.")
            % {"created": len(report.created), "updated": len(report.updated)}
        )
        for number, codes in report.unknown_items.items():
            self.stdout.write(
                _("Contract %(number)s: no space or area with code %(codes)s.")
                % {"number": number, "codes": ", ".join(codes)}
            )
