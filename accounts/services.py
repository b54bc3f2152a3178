from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Agent, ApiKey, Department, Organization
from accounts.permissions import grant_agent_permissions
from core.errors import Conflict, ValidationError


@transaction.atomic
def organization_create(*, name: str, api_key_name: str = "default") -> tuple[Organization, str]:
    """Create an organization and its first API key; returns the raw key once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("An organization needs a name."))
    organization = Organization.objects.create(name=name)
    _api_key, raw_key = api_key_create(organization=organization, name=api_key_name)
    return organization, raw_key


def organization_retention_update(
    *,
    organization: Organization,
    retention_messages_days: int | None,
    retention_media_days: int | None,
    retention_closed_sessions_days: int | None,
) -> Organization:
    organization.retention_messages_days = retention_messages_days
    organization.retention_media_days = retention_media_days
    organization.retention_closed_sessions_days = retention_closed_sessions_days
    organization.save(
        update_fields=[
            "retention_messages_days",
            "retention_media_days",
            "retention_closed_sessions_days",
            "updated_at",
        ]
    )
    return organization


def api_key_create(*, organization: Organization, name: str = "default") -> tuple[ApiKey, str]:
    """The raw key is returned here and never again: only its hash is stored."""
    api_key = ApiKey(organization=organization, name=name or "default")
    return api_key, api_key_issue(api_key)


def api_key_issue(api_key: ApiKey) -> str:
    """Give a new, unsaved key its secret and save it; the raw key, shown once.

    The admin's add form fills organization and name, then calls this."""
    raw_key = ApiKey.generate()
    api_key.hashed_key = ApiKey.hash(raw_key)
    api_key.hint = raw_key[:10]
    api_key.save()
    return raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


@transaction.atomic
def agent_create(
    *,
    organization: Organization,
    username: str,
    password: str,
    department_names: list[str] | None = None,
    display_name: str = "",
    email: str = "",
) -> Agent:
    """A staff user who works one organization's conversations in the admin."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            _("A user named %(username)r already exists.") % {"username": username}
        )
    user = User.objects.create_user(
        username=username, password=password, email=email, is_staff=True
    )
    agent = Agent.objects.create(
        user=user, organization=organization, display_name=display_name or username
    )
    for department_name in department_names or []:
        department, _created = Department.objects.get_or_create(
            organization=organization, name=department_name
        )
        agent.departments.add(department)
    grant_agent_permissions(user)
    return agent


DEPARTMENT_EDITABLE_FIELDS = ("name", "description", "is_active")


def _department_save(department: Department, update_fields: list[str] | None = None) -> Department:
    if not (department.name or "").strip():
        raise ValidationError(
            _("A department needs a name."), details={"name": [gettext_noop("Required.")]}
        )
    department.name = department.name.strip()
    try:
        with transaction.atomic():
            department.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(
            _("A department with this name already exists."), code="department_name_taken"
        ) from None
    return department


def department_create(
    *, organization: Organization, name: str, description: str = "", is_active: bool = True
) -> Department:
    return _department_save(
        Department(
            organization=organization, name=name or "", description=description, is_active=is_active
        )
    )


def department_update(*, department: Department, **fields) -> Department:
    unknown = set(fields) - set(DEPARTMENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(department, name, value)
    if not fields:
        return department
    return _department_save(department, update_fields=[*fields, "updated_at"])


@transaction.atomic
def department_delete(*, department: Department) -> None:
    """Refused while open sessions are assigned to it: they would silently lose their queue."""
    locked = Department.objects.select_for_update().get(pk=department.pk)
    open_sessions = locked.sessions.exclude(status="CLOSED").count()
    if open_sessions:
        raise Conflict(
            _("Open sessions are assigned to this department."),
            code="department_in_use",
            details={"openSessions": open_sessions},
        )
    locked.delete()
