import uuid

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
