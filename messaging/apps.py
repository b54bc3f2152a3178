from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        from core.health import register_check
        from messaging.inbox import inbox_health

        register_check("ingest", inbox_health)
