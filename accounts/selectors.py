import uuid

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Agent, Organization
from core.errors import NotFound


def organization_get(organization_id: str) -> Organization:
    try:
        return Organization.objects.get(pk=uuid.UUID(str(organization_id)))
    except (ValueError, Organization.DoesNotExist):
        raise NotFound(_("No organization %(id)s.") % {"id": organization_id}) from None


def agent_for_user(user) -> Agent | None:
    """The membership of a logged-in admin user, or None (superusers, strangers)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.agent
    except Agent.DoesNotExist:
        return None


def agents_of(organization) -> QuerySet[Agent]:
    """An organization's agents with what the API shows: open sessions counted,
    departments prefetched (flat query count)."""
    return (
        Agent.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("departments")
        # The reverse of ChatSession.assigned_agent, by name: sessions sit above accounts.
        .annotate(open_count=Count("sessions", filter=~Q(sessions__status="CLOSED")))
        .order_by("display_name", "id")
    )
