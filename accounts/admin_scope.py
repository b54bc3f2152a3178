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

import copy
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from accounts.selectors import agent_for_user
from core.errors import DomainError


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


class _DryRun(Exception):
    """Raised inside the savepoint that checks a form against its service."""


def _snake(name: str) -> str:
    # Services name fields in details as the API does (``baseUrl``).
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().removesuffix("_id")


class ServiceSavedAdmin(OrganizationScopedAdmin):
    """Add and change forms save through the app's services, so the console
    follows the API's rules (validation, normalized phones, generated
    secrets) instead of ``obj.save()``.

    ``service_fields``: the form fields the services take; the others the
    form shows (a superuser's extra columns) are saved as they are.
    Subclasses implement ``create_through_service(obj, data)`` (returns the
    new row) and ``update_through_service(obj, data)`` (``data``: the
    changed service fields). A service's refusal shows on the form: the
    form's validation runs the same save in a savepoint that is always
    rolled back, so a taken name or an unreadable phone is a form error,
    never a 500 after the form was accepted.
    """

    service_fields: tuple[str, ...] = ()

    def create_through_service(self, obj, data: dict):
        raise NotImplementedError

    def update_through_service(self, obj, data: dict) -> None:
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    model_admin._check_with_service(request, self)

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        self._save_with_service(request, obj, form, change=change, target=obj)

    def _check_with_service(self, request, form) -> None:
        change = form.instance.pk is not None and not form.instance._state.adding
        try:
            with transaction.atomic():
                self._save_with_service(
                    request, form.instance, form, change=change, target=copy.copy(form.instance)
                )
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            self._add_service_error(form, exc)

    def _save_with_service(self, request, obj, form, *, change: bool, target) -> None:
        if (
            not change
            and not request.user.is_superuser
            and self.organization_path == "organization"
        ):
            target.organization = organization_of(request)
        names = form.changed_data if change else list(form.cleaned_data)
        data = {name: getattr(obj, name) for name in names if name in self.service_fields}
        rest = [
            name
            for name in names
            if name not in self.service_fields
            and name != "organization"
            and not obj._meta.get_field(name).many_to_many
        ]
        if change:
            self.update_through_service(target, data)
            if rest:
                target.save(update_fields=rest)
            return
        created = self.create_through_service(target, data)
        if rest:
            for name in rest:
                setattr(created, name, getattr(obj, name))
            created.save(update_fields=rest)
        if target is obj:
            # The admin goes on with ``obj`` (inlines, many-to-many, the log).
            for field in obj._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding = False
            obj._state.db = created._state.db

    @staticmethod
    def _add_service_error(form, exc: DomainError) -> None:
        placed = False
        for key, problems in (exc.details or {}).items():
            name = _snake(str(key))
            # Lists are messages about a field; other details (a conflicting
            # row's id) are not. They stay English in the API (the contract);
            # the services mark them with gettext_noop, so the agent reads
            # them in the console's language.
            if name in form.fields and isinstance(problems, list):
                form.add_error(name, [gettext(str(problem)) for problem in problems])
                placed = True
        if not placed:
            form.add_error(None, forms.ValidationError(exc.message))
