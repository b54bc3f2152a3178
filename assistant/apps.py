from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = _("Assistant")

    def ready(self):
        # Imported once the app registry is ready: these modules use models.
        from assistant.tasks import turn_answerer
        from messaging.turns.dispatch import register_turn_answerer

        # messaging sits below this app and never imports it: the closing
        # turn asks its registered answerers whether one of them replies.
        register_turn_answerer(turn_answerer)
