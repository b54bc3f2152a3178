import json

from django.core.management.base import BaseCommand, CommandError, no_translations

from accounts.selectors import organization_get
from accounts.services import api_key_create
from core.errors import DomainError


class Command(BaseCommand):
    help = "Add an API key to an organization (the key is shown once)."

    def add_arguments(self, parser):
        parser.add_argument("organization_id")
        parser.add_argument("--name", default="default")
        parser.add_argument("--json", action="store_true", help="Print JSON only.")

    # An operator's tool, in English like its help: refusals are translated
    # when raised, so translations are off while it runs.
    @no_translations
    def handle(self, *args, **options):
        try:
            organization = organization_get(options["organization_id"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        api_key, raw_key = api_key_create(organization=organization, name=options["name"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "organizationId": str(organization.id),
                        "apiKeyId": str(api_key.id),
                        "apiKey": raw_key,
                    }
                )
            )
            return
        self.stdout.write(f"API key for {organization.name} (shown once): {raw_key}")
