from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Sessions"

    def ready(self):
        from core.metrics import register_collector
        from sessions_app.selectors import sessions_open_metrics

        register_collector("sessions", sessions_open_metrics)
