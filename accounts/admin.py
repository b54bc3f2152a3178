from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.admin_scope import OrganizationScopedAdmin, ServiceSavedAdmin, organization_of
from accounts.models import Agent, ApiKey, BusinessHours, Department, Organization
from accounts.services import (
    DEPARTMENT_EDITABLE_FIELDS,
    api_key_issue,
    api_key_revoke,
    business_hours_put,
    department_create,
    department_update,
)
from accounts.two_factor import TwoFactorAdminAuthenticationForm

# The console's sign-in asks for the authenticator code of users who set one up.
admin.site.login_form = TwoFactorAdminAuthenticationForm


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = ["name", "slug", "is_active", "default_country", "session_timeout_hours"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        organization = organization_of(request)
        return queryset.filter(pk=getattr(organization, "pk", None))


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "hint", "organization", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization"]
    search_fields = ["name", "hint"]
    # The hash never leaves the database. A new key is shown once, in the
    # confirmation message, and never again.
    exclude = ["hashed_key"]
    readonly_fields = ["hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organization", "name"]
        return ["organization", "name", "hint", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["organization", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw_key = api_key_issue(obj)
        messages.warning(
            request,
            _("API key for %(organization)s: %(key)s — copy it now, it is not shown again.")
            % {"organization": obj.organization, "key": raw_key},
        )

    @admin.action(description=gettext_lazy("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Revoked %(count)s key.", "Revoked %(count)s keys.", count) % {"count": count},
        )


@admin.register(Department)
class DepartmentAdmin(ServiceSavedAdmin):
    list_display = ["name", "organization", "is_active", "auto_assign", "created_at"]
    list_filter = ["is_active", "auto_assign", "organization"]
    search_fields = ["name"]
    service_fields = DEPARTMENT_EDITABLE_FIELDS

    def create_through_service(self, obj, data):
        return department_create(organization=obj.organization, **data)

    def update_through_service(self, obj, data):
        department_update(department=obj, **data)


@admin.register(Agent)
class AgentAdmin(OrganizationScopedAdmin):
    list_display = [
        "__str__",
        "user",
        "organization",
        "availability",
        "max_concurrent_sessions",
        "is_active",
        "last_seen_at",
    ]
    list_filter = ["availability", "is_active", "organization"]
    search_fields = ["display_name", "user__username", "user__email"]
    filter_horizontal = ["departments"]
    readonly_fields = ["last_seen_at", "last_assigned_at"]


class BusinessHoursForm(forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = [
            "organization",
            "department",
            "enabled",
            "timezone",
            "weekly",
            "holidays",
            "out_of_office_message",
        ]
        help_texts = {
            "weekly": gettext_lazy(
                'A list of periods, Monday 0: [{"weekday": 0, "open": "09:00", "close": "18:00"}]. '
                "A period ends on its own day (24:00 is midnight)."
            ),
            "holidays": gettext_lazy('Closed all day: [{"date": "2026-12-25", "name": "Natal"}].'),
            "timezone": gettext_lazy("Empty: the organization's."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].required = False

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and not self.instance._state.adding:
            return data  # the owner is read-only once chosen
        organization, department = data.get("organization"), data.get("department")
        if (organization is None) == (department is None):
            raise forms.ValidationError(
                _("Choose an organization (its hours) or a department (its own hours), not both.")
            )
        return data


@admin.register(BusinessHours)
class BusinessHoursAdmin(ServiceSavedAdmin):
    """Superusers only: agents read the hours on the conversation page."""

    form = BusinessHoursForm
    list_display = ["__str__", "organization", "department", "enabled", "timezone", "updated_at"]
    list_filter = ["enabled"]
    service_fields = ("enabled", "timezone", "weekly", "holidays", "out_of_office_message")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        # Whose hours they are is chosen once; another owner is another row.
        return ["organization", "department"] if obj is not None else []

    def _save(self, obj):
        # PUT semantics, like the API: the whole row through the one service.
        department = obj.department
        organization = department.organization if department is not None else obj.organization
        return business_hours_put(
            organization=organization,
            department=department,
            enabled=obj.enabled,
            timezone=obj.timezone,
            weekly=obj.weekly or [],
            holidays=obj.holidays or [],
            out_of_office_message=obj.out_of_office_message,
        )

    def create_through_service(self, obj, data):
        return self._save(obj)

    def update_through_service(self, obj, data):
        self._save(obj)
