"""Organization scoping for every admin page.

Superusers see everything. An agent (staff user with an ``Agent``
membership) sees and edits only rows of their organization, and can pick
only their organization's rows in foreign-key fields. An agent restricted
to departments (``agent.departments`` not empty) sees only sessions of those
departments plus unassigned ones, and the messages and turns inside them.
Staff without a membership see nothing.

A row outside the scope answers 404 on every page (change, delete,
history), exactly as a row that does not exist: the admin's default of
redirecting with "doesn't exist" would still confirm nothing, but a plain
404 is what the custom console views answer too.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.selectors import agent_for_user


def agent_of(request):
    """The requesting user's membership (cached on the request), or None."""
    if not hasattr(request, "_atende_agent"):
        request._atende_agent = agent_for_user(request.user)
    return request._atende_agent


def organization_of(request):
    agent = agent_of(request)
    return agent.organization if agent else None


def console_zone(organization) -> ZoneInfo:
    """The zone the console shows an organization's times in."""
    name = organization.timezone if organization is not None else settings.CONSOLE_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.CONSOLE_TIME_ZONE)


def department_ids_of(request) -> list:
    """Departments an agent is restricted to; empty means every department."""
    if not hasattr(request, "_atende_department_ids"):
        agent = agent_of(request)
        request._atende_department_ids = (
            list(agent.departments.values_list("pk", flat=True)) if agent else []
        )
    return request._atende_department_ids


def scope_queryset(request, queryset: QuerySet, *, organization_path: str, department_path=None):
    """Filter ``queryset`` to what the requesting user may see."""
    if request.user.is_superuser:
        return queryset
    organization = organization_of(request)
    if organization is None or not request.user.is_staff:
        return queryset.none()
    queryset = queryset.filter(**{organization_path: organization})
    if department_path:
        department_ids = department_ids_of(request)
        if department_ids:
            queryset = queryset.filter(
                Q(**{f"{department_path}__in": department_ids})
                | Q(**{f"{department_path}__isnull": True})
            )
    return queryset


class OrganizationScopedAdmin(admin.ModelAdmin):
    # ORM path from this model to its Organization.
    organization_path = "organization"
    # ORM path from this model to its session's assigned department, for
    # models that live inside a session (department-restricted agents).
    department_path: str | None = None

    def get_queryset(self, request):
        return scope_queryset(
            request,
            super().get_queryset(request),
            organization_path=self.organization_path,
            department_path=self.department_path,
        )

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser:
            filters = [f for f in filters if f != self.organization_path]
        return filters

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not request.user.is_superuser:
            columns = [c for c in columns if c != "organization"]
        return columns

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.organization_path == "organization":
            exclude.append("organization")
        return exclude

    def save_model(self, request, obj, form, change):
        if (
            not change
            and not request.user.is_superuser
            and self.organization_path == "organization"
        ):
            obj.organization = organization_of(request)
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_choices(field, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_choices(field, request)
        return field

    def _scope_choices(self, field, request):
        if field is None or request.user.is_superuser:
            return
        organization = organization_of(request)
        model = field.queryset.model
        if model._meta.label == "accounts.Organization":
            field.queryset = field.queryset.filter(pk=getattr(organization, "pk", None))
        elif any(f.name == "organization" for f in model._meta.fields):
            field.queryset = field.queryset.filter(organization=organization)

    def has_module_permission(self, request):
        if not request.user.is_superuser and organization_of(request) is None:
            return False
        return super().has_module_permission(request)

    def get_visible_object(self, request, object_id):
        """The object if this user may see it, else 404 (never a hint it exists)."""
        obj = self.get_object(request, unquote(str(object_id)))
        if obj is None:
            raise Http404("Not found.")
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.get_visible_object(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.get_visible_object(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.get_visible_object(request, object_id)
        return super().history_view(request, object_id, extra_context)


class OrganizationScopedInline:
    """Mixin for inlines: scopes their foreign-key choices the same way."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            organization = organization_of(request)
            model = field.queryset.model
            if any(f.name == "organization" for f in model._meta.fields):
                field.queryset = field.queryset.filter(organization=organization)
        return field
