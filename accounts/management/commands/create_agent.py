from django.core.management.base import BaseCommand, CommandError, no_translations

from accounts.selectors import organization_get
from accounts.services import agent_create
from core.errors import DomainError


class Command(BaseCommand):
    help = "Create an agent: a staff user who works one organization in the admin."

    def add_arguments(self, parser):
        parser.add_argument("organization_id")
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            help="Restrict the agent to this department (repeatable; created if missing).",
        )

    # An operator's tool, in English like its help: refusals are translated
    # when raised, so translations are off while it runs.
    @no_translations
    def handle(self, *args, **options):
        try:
            organization = organization_get(options["organization_id"])
            agent = agent_create(
                organization=organization,
                username=options["username"],
                password=options["password"],
                department_names=options["department"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Agent {agent} created in {organization.name}.")
