from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from accounts.models import ApiKey, Organization
from core.logging import bind_log_context

# Recording every request's time would turn each read into a write; a
# minute's precision is what "last used" needs.
LAST_USED_PRECISION = timedelta(seconds=60)


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """``request.user`` for API-key requests: the organization, not a person."""

    organization: Organization
    api_key: ApiKey
    is_authenticated: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self):
        return self.api_key.pk


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        scheme, _space, raw_key = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not raw_key.strip():
            raise exceptions.AuthenticationFailed(_("Use 'Authorization: Bearer <api key>'."))
        api_key = (
            ApiKey.objects.select_related("organization")
            .filter(hashed_key=ApiKey.hash(raw_key.strip()), revoked_at__isnull=True)
            .first()
        )
        if api_key is None or not api_key.organization.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        now = timezone.now()
        stale = now - LAST_USED_PRECISION
        # The row just read says whether a write is due: most requests make
        # none. The condition stays on the UPDATE for the requests racing it.
        if api_key.last_used_at is None or api_key.last_used_at < stale:
            ApiKey.objects.filter(pk=api_key.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
            ).update(last_used_at=now)
        bind_log_context(organization_id=api_key.organization_id)
        return ApiKeyPrincipal(organization=api_key.organization, api_key=api_key), api_key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when no credentials were sent.
        return self.keyword


class HasOrganization(permissions.BasePermission):
    message = "Authentication with an API key is required."

    def has_permission(self, request, view):
        return getattr(request.user, "organization", None) is not None


def request_organization(request) -> Organization:
    """The organization every queryset of this request is scoped to."""
    return request.user.organization
