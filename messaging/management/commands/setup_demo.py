import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.agents import agent_update
from accounts.models import Availability, Department, Organization
from accounts.services import agent_create, organization_create
from canned.models import CannedResponse
from canned.services import canned_create
from contacts.models import Tabulation
from contacts.services import tabulation_create
from providers.models import Instance, Provider

DEMO_ORGANIZATION = "Demo"
# Typed after / in the console's reply box.
DEMO_CANNED_RESPONSES = {
    "saudacao": "Olá, {{contact.firstName}}! Sou {{agent.name}}, da {{organization.name}}. "
    "Já vou verificar seu pedido.",
    "encerramento": "Obrigado pelo contato, {{contact.firstName}}! "
    "Se precisar de algo mais, é só chamar por aqui.",
}
DEMO_DEPARTMENT = "Atendimento"
DEMO_AGENTS = {"ana": "Ana", "bruno": "Bruno"}
DEMO_TAGS = {"Dúvida": "#1e88e5", "Troca": "#ffb300", "Urgente": "#e53935"}
CREDENTIALS_FILE = settings.VAR_DIR / "demo-credentials.json"


class Command(BaseCommand):
    help = (
        "Create, once, a demo organization with an API key, an admin user and a "
        "sandbox instance; print how to use them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        if not User.objects.filter(username=options["username"]).exists():
            User.objects.create_superuser(
                username=options["username"], password=options["password"], email=""
            )

        credentials = _read_credentials()
        organization = (
            Organization.objects.filter(pk=credentials.get("organizationId")).first()
            if credentials.get("organizationId")
            else None
        )
        if organization is None:
            organization, raw_key = organization_create(name=DEMO_ORGANIZATION, api_key_name="demo")
            credentials = {"organizationId": str(organization.id), "apiKey": raw_key}
        # One password for the demo agents, made once and kept with the key.
        agents_password = credentials.setdefault("agentsPassword", secrets.token_urlsafe(9))
        base = options["base_url"].rstrip("/")
        instance, _ = Instance.objects.get_or_create(
            organization=organization,
            name="Sandbox",
            defaults={"provider": Provider.SANDBOX, "concat_timeout": 3},
        )
        for short_code, content in DEMO_CANNED_RESPONSES.items():
            if not CannedResponse.objects.filter(
                organization=organization, short_code=short_code
            ).exists():
                canned_create(organization=organization, short_code=short_code, content=content)
        # What this run prints, kept for when it has scrolled away (README,
        # "Try it"). simulate_inbound reads it: it posts to the server this
        # run printed (a PORT other than 8000 included) and to its sandbox.
        credentials.update(
            {
                "baseUrl": base,
                "adminUrl": f"{base}/admin/",
                "adminUsername": options["username"],
                "adminPassword": options["password"],
                "sandboxInstanceId": str(instance.id),
            }
        )
        department = _demo_team(organization, instance, agents_password)
        CREDENTIALS_FILE.write_text(json.dumps(credentials, indent=2))
        CREDENTIALS_FILE.chmod(0o600)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Atende demo is ready.",
                    f"  Admin:       {base}/admin/  (user {options['username']!r}, "
                    f"password {options['password']!r})",
                    f"  API docs:    {base}/api/docs",
                    f"  Health:      {base}/api/health",
                    f"  Organization {organization.name}: {organization.id}",
                    f"  API key:     {credentials['apiKey']}",
                    f"  Sandbox instance: {instance.id}",
                    "  Canned responses: type /saudacao or /encerramento in a reply.",
                    f"  Agents:      {', '.join(DEMO_AGENTS)} (password {agents_password!r}), "
                    f"department {department.name!r} with automatic assignment",
                    "  Try it:      .venv/bin/python manage.py simulate_inbound "
                    "--phone 5511987654321 --text 'Olá!'",
                    f"  All of this is kept in {CREDENTIALS_FILE}",
                ]
            )
        )
        # By name: the assistant app sits above messaging and is not imported here.
        call_command("setup_demo_assistant", instance=str(instance.id), stdout=self.stdout)
        self.stdout.write("")


def _demo_team(organization, instance, password: str) -> Department:
    """A department that assigns automatically, two online agents in it (every
    new sandbox conversation goes there) and three tags, so every panel has
    something to show."""
    department, _ = Department.objects.get_or_create(
        organization=organization, name=DEMO_DEPARTMENT, defaults={"auto_assign": True}
    )
    if instance.default_department_id is None:
        instance.default_department = department
        instance.save(update_fields=["default_department"])
    User = get_user_model()
    for username, name in DEMO_AGENTS.items():
        if User.objects.filter(username=username).exists():
            continue
        agent = agent_create(
            organization=organization,
            username=username,
            password=password,
            display_name=name,
            department_names=[department.name],
        )
        agent_update(agent=agent, availability=Availability.ONLINE, max_concurrent_sessions=5)
    for name, color in DEMO_TAGS.items():
        if not Tabulation.objects.filter(organization=organization, name=name).exists():
            tabulation_create(organization=organization, name=name, background_color=color)
    return department


def _read_credentials() -> dict:
    try:
        return json.loads(CREDENTIALS_FILE.read_text())
    except (FileNotFoundError, ValueError):
        return {}
