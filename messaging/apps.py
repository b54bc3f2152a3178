from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self):
        # Imported once the app registry is ready: these modules use models.
        from core.health import register_check
        from core.metrics import register_collector
        from messaging.csat.survey import csat_ask_after_close
        from messaging.customer_waiting import customer_waits
        from messaging.inbound.health import inbox_health
        from messaging.selectors import inbox_backlog_metrics
        from messaging.turns.dispatch import register_skipped_turn_listener
        from sessions_app.services.closing import on_session_closed

        register_check("ingest", inbox_health)
        register_collector("inbox", inbox_backlog_metrics)
        on_session_closed(csat_ask_after_close)
        # A customer writing while the AI stays out waits for a person.
        register_skipped_turn_listener(customer_waits)
