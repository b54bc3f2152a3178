from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin
from accounts.models import Agent, ApiKey, Department, Organization


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
        from accounts.admin_scope import organization_of

        organization = organization_of(request)
        return queryset.filter(pk=getattr(organization, "pk", None))


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "hint", "organization", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization"]
    search_fields = ["name", "hint"]
    # The hash never leaves the database; keys are made with
    # `manage.py create_api_key` or the organization's first key.
    exclude = ["hashed_key"]
    readonly_fields = ["hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Department)
class DepartmentAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "is_active", "created_at"]
    list_filter = ["is_active", "organization"]
    search_fields = ["name"]


@admin.register(Agent)
class AgentAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "user", "organization", "is_active", "created_at"]
    list_filter = ["is_active", "organization"]
    search_fields = ["display_name", "user__username", "user__email"]
    filter_horizontal = ["departments"]
