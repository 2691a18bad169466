from django.core.management.base import BaseCommand, CommandError

from territory.models import Municipality

from ...selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verifies the audit trail's hash chains; reports the first altered or missing entry."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="SLUG", help="only this municipality")

    def handle(self, *args, municipality=None, **options):
        chosen = None
        if municipality:
            chosen = Municipality.objects.filter(slug=municipality).first()
            if chosen is None:
                raise CommandError(f"Unknown municipality: {municipality}")
        report = audit_chain_verify(municipality=chosen)
        for problem in report.problems:
            self.stderr.write(f"{problem.municipality}: {problem.kind}: {problem.detail}")
        if report.problems:
            raise CommandError(
                f"Audit trail broken in {len(report.problems)} chain(s); "
                f"{report.verified} entries verified before the first problem.",
                returncode=1,
            )
        self.stdout.write(f"{report.verified} entries verified")
