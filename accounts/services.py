from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.business_hours import business_hours_clean
from accounts.models import Agent, ApiKey, BusinessHours, Department, Organization
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


CSAT_FIELDS = ("csat_enabled", "csat_question", "csat_thanks")
RETENTION_FIELDS = (
    "retention_messages_days",
    "retention_media_days",
    "retention_closed_sessions_days",
)


def organization_csat_update(*, organization: Organization, **fields) -> Organization:
    """The satisfaction survey's settings: on or off, and its two texts."""
    unknown = set(fields) - set(CSAT_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name in ("csat_question", "csat_thanks"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if not fields[name] or len(fields[name]) > 500:
                raise ValidationError(
                    _("The survey's texts need 1 to 500 characters."),
                    details={name.removeprefix("csat_"): [gettext_noop("1 to 500 characters.")]},
                )
    if not fields:
        return organization
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.save(update_fields=[*fields, "updated_at"])
    return organization


def organization_retention_update(
    *,
    organization: Organization,
    **days: int | None,
) -> Organization:
    """Retention in days per kind of content (None keeps it); only the kinds given change."""
    unknown = set(days) - set(RETENTION_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if not days:
        return organization
    for name, value in days.items():
        setattr(organization, name, value)
    organization.save(update_fields=[*days, "updated_at"])
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


DEPARTMENT_EDITABLE_FIELDS = ("name", "description", "is_active", "auto_assign")


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
    *,
    organization: Organization,
    name: str,
    description: str = "",
    is_active: bool = True,
    auto_assign: bool = False,
) -> Department:
    return _department_save(
        Department(
            organization=organization,
            name=name or "",
            description=description,
            is_active=is_active,
            auto_assign=auto_assign,
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


@transaction.atomic
def business_hours_put(
    *,
    organization: Organization,
    department: Department | None = None,
    timezone: str = "",
    weekly: list,
    holidays: list,
    out_of_office_message: str = "",
    enabled: bool = False,
) -> BusinessHours:
    """Replace the organization's hours, or a department's own (an override).

    ``weekly`` items are ``{weekday, open, close}`` with ``open``/``close`` as
    "HH:MM"; ``holidays`` items ``{date: date, name}``. The time zone
    defaults to the organization's.
    """
    timezone = (timezone or "").strip() or organization.timezone
    weekly, holidays = business_hours_clean(timezone=timezone, weekly=weekly, holidays=holidays)
    owner = {"department": department} if department is not None else {"organization": organization}
    hours, _created = BusinessHours.objects.select_for_update().get_or_create(
        **owner,
        defaults={"timezone": timezone},
    )
    hours.timezone = timezone
    hours.weekly = weekly
    hours.holidays = holidays
    hours.out_of_office_message = (out_of_office_message or "").strip()
    hours.enabled = enabled
    hours.save()
    return hours


def business_hours_delete(*, department: Department) -> None:
    """The department follows its organization's hours again."""
    BusinessHours.objects.filter(department=department).delete()
