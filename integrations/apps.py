from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        from core.metrics import register_collector
        from integrations.selectors import integrations_failing_metrics

        register_collector("integrations", integrations_failing_metrics)
