"""Console requests: times in the organization's zone, the agent's last request stamped."""

from django.utils import timezone

from accounts.admin_scope import agent_of, console_zone, organization_of
from accounts.agents import agent_seen


class ConsoleTimeZoneMiddleware:
    """Activate the organization's zone for console pages.

    Django's admin renders every datetime (lists, forms, filters) in the
    active zone, so activating it once covers the pages we did not write.
    Users outside an organization (superusers) get CONSOLE_TIME_ZONE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith("/api/"):
            timezone.activate(console_zone(organization_of(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class AgentSeenMiddleware:
    """Stamp the agent's last request (idle agents go offline: accounts.agents)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith("/api/"):
            agent = agent_of(request)
            if agent is not None:
                agent_seen(agent)
        return self.get_response(request)
