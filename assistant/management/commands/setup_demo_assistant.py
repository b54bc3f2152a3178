"""The demo organization's assistant, bound to its sandbox instance.

Run by ``setup_demo`` (by command name: messaging sits below this app). With
no model server configured it creates nothing and says how to turn it on.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assistant.models import Assistant
from assistant.services import assistant_create
from providers.models import Instance
from providers.services import instance_update

DEMO_ASSISTANT = "Assistente demo"
DEMO_PROMPT = (
    "Você é o assistente virtual da loja de demonstração do Atende. Responda em português "
    "do Brasil, em poucas frases. Quando o cliente pedir para falar com uma pessoa, use "
    "transfer_to_human."
)


class Command(BaseCommand):
    help = "Create the demo assistant (once) and bind it to the demo sandbox instance."

    def add_arguments(self, parser):
        parser.add_argument("--instance", required=True, help="The sandbox instance id.")

    def handle(self, *args, **options):
        instance = (
            Instance.objects.select_related("organization").filter(pk=options["instance"]).first()
        )
        if instance is None:
            raise CommandError(f"No instance {options['instance']!r}.")
        if not (settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL):
            self.stdout.write(
                "  Assistant:   off. To have the built-in assistant answer the sandbox, set "
                "OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server, "
                "and ASSISTANT_DEFAULT_MODEL) and run `make run` again."
            )
            return
        assistant = Assistant.objects.filter(
            organization=instance.organization, name=DEMO_ASSISTANT
        ).first()
        if assistant is None:
            assistant = assistant_create(
                organization=instance.organization,
                name=DEMO_ASSISTANT,
                system_prompt=DEMO_PROMPT,
            )
        if instance.assistant_id is None:
            instance_update(instance=instance, assistant=assistant)
        self.stdout.write(
            f"  Assistant:   {assistant.name} ({assistant.model}) answers the sandbox; "
            "say 'quero falar com um atendente' to be handed to a person."
        )
