from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        # Imported once the app registry is ready: these modules use models.
        from core.metrics import register_collector
        from integrations.selectors import integrations_failing_metrics

        register_collector("integrations", integrations_failing_metrics)
