from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from complaints.models import Open311Client
from complaints.services import open311_key_create, open311_key_revoke
from territory.models import Municipality

# Who the audit trail names for keys issued or revoked here (no portal user runs commands).
SYSTEM = "manage.py open311_key"


class Command(BaseCommand):
    help = "Issues (create) or revokes (revoke) the Open311 API key of a client system."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("name", help="The client system, e.g. 'Linea 072'.")
        parser.add_argument("--municipality", help="Slug; by default the default municipality.")

    def handle(self, *args, action, name, municipality=None, **options):
        if municipality:
            found = Municipality.objects.filter(slug=municipality).first()
        else:
            found = Municipality.objects.filter(is_default=True).first()
        if found is None:
            raise CommandError("No such municipality: give --municipality SLUG.")
        if action == "create":
            try:
                client, key = open311_key_create(municipality=found, name=name, system=SYSTEM)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stderr.write(f"Issued a key for {client.name} ({found.slug}). It is shown once:")
            self.stdout.write(key)
            return
        clients = Open311Client.objects.filter(
            municipality=found, name=name, revoked_at__isnull=True
        )
        if not clients.exists():
            raise CommandError(f"No active key named {name!r} in {found.slug}.")
        for client in clients:
            open311_key_revoke(client=client, system=SYSTEM)
        self.stdout.write(f"Revoked the key of {name} ({found.slug}).")
