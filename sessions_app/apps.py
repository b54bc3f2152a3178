from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Sessions")

    def ready(self):
        # Imported once the app registry is ready: these modules use models.
        from core.metrics import register_collector
        from sessions_app.selectors import sessions_open_metrics

        register_collector("sessions", sessions_open_metrics)
