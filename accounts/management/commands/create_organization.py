import json

from django.core.management.base import BaseCommand

from accounts.services import organization_create


class Command(BaseCommand):
    help = "Create an organization and its first API key (the key is shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--json", action="store_true", help="Print JSON only.")

    def handle(self, *args, **options):
        organization, raw_key = organization_create(name=options["name"])
        if options["json"]:
            self.stdout.write(
                json.dumps({"organizationId": str(organization.id), "apiKey": raw_key})
            )
            return
        self.stdout.write(f"Organization: {organization.name} ({organization.id})")
        self.stdout.write(f"API key (shown once, store it now): {raw_key}")
