from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Sessions")

    def ready(self):
        # Imported once the app registry is ready: these modules use models.
        from accounts.agents import register_agent_room_hook
        from core.metrics import register_collector
        from sessions_app.selectors import sessions_open_metrics
        from sessions_app.services.autoassign import agent_room_freed

        register_collector("sessions", sessions_open_metrics)
        register_agent_room_hook(agent_room_freed)
