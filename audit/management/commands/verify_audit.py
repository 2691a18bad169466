import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...selectors import PublishedHead, audit_chain_verify, municipalities

HEAD = re.compile(r"^(?P<sequence>[1-9][0-9]*):(?P<hash>[0-9a-f]{64})$")


def published_head(value: str) -> PublishedHead:
    match = HEAD.match(value.strip().lower())
    if match is None:
        raise CommandError(
            _(
                "--head takes SEQUENCE:HASH, the sequence number and the 64 hexadecimal digits "
                "of a published head (e.g. from /audit/head.json), not %(value)r."
            )
            % {"value": value}
        )
    return PublishedHead(int(match["sequence"]), match["hash"])


class Command(BaseCommand):
    help = (
        "Verifies the audit trail's hash chains; reports the first altered or missing entry. "
        "With --head, also that the chain still contains a head published earlier."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="SLUG", help="only this municipality")
        parser.add_argument(
            "--head",
            metavar="SEQUENCE:HASH",
            help="a head published earlier (/audit/head.json, the daily log line) that the "
            "municipality's chain must contain unchanged",
        )

    def handle(self, *args, municipality=None, head=None, **options):
        chosen = None
        if municipality:
            chosen = municipalities().filter(slug=municipality).first()
            if chosen is None:
                raise CommandError(f"Unknown municipality: {municipality}")
        if head is not None:
            if chosen is None:
                raise CommandError(_("--head needs --municipality: a head is one chain's."))
            head = published_head(head)
        report = audit_chain_verify(municipality=chosen, head=head)
        for problem in report.problems:
            self.stderr.write(f"{problem.municipality}: {problem.kind}: {problem.detail}")
        if report.problems:
            raise CommandError(
                f"Audit trail broken in {len(report.problems)} chain(s); "
                f"{report.verified} entries verified before the first problem.",
                returncode=1,
            )
        self.stdout.write(f"{report.verified} entries verified")
        if head is not None:
            self.stdout.write(f"published head {head.sequence} found")
