from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self):
        # Imported once the app registry is ready: these modules use models.
        from core.health import register_check
        from core.metrics import register_collector
        from messaging.customer_waiting import customer_waits
        from messaging.inbound.inbox import inbox_health
        from messaging.selectors import inbox_backlog_metrics
        from messaging.turns.dispatch import register_skipped_turn_listener

        register_check("ingest", inbox_health)
        register_collector("inbox", inbox_backlog_metrics)
        # A customer writing while the AI stays out waits for a person.
        register_skipped_turn_listener(customer_waits)
