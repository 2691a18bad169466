from django.core.management.base import BaseCommand, CommandError

from guardians.services import seed_card_templates
from territory.models import Municipality


class Command(BaseCommand):
    help = "Creates the default surveillance cards (parks, garbage, lighting) where missing."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="Slug; every municipality when omitted.")

    def handle(self, *args, municipality=None, **options):
        municipalities = Municipality.objects.all()
        if municipality:
            municipalities = municipalities.filter(slug=municipality)
            if not municipalities.exists():
                raise CommandError(f"No municipality has the slug {municipality!r}.")
        for item in municipalities:
            created = seed_card_templates(municipality=item)
            self.stdout.write(f"{item.slug}: {len(created)} card templates created")
