from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self):
        from core.health import register_check
        from messaging.inbox import inbox_health

        register_check("ingest", inbox_health)
