from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin
from providers.models import Instance, SandboxOutboxMessage


@admin.register(Instance)
class InstanceAdmin(OrganizationScopedAdmin):
    list_display = [
        "name",
        "provider",
        "connection_status",
        "connection_status_since",
        "last_health_check_at",
        "organization",
    ]
    list_filter = ["provider", "connection_status", "organization"]
    search_fields = ["name", "external_id", "phone_number"]
    # Gateway credentials and secrets are write-only in the console.
    exclude = ["credentials", "webhook_secret", "app_secret", "verify_token"]
    readonly_fields = [
        "connection_status",
        "connection_status_since",
        "last_health_check_at",
        "last_health_error",
        "qr_code_updated_at",
        "created_at",
        "updated_at",
    ]


@admin.register(SandboxOutboxMessage)
class SandboxOutboxMessageAdmin(OrganizationScopedAdmin):
    organization_path = "instance__organization"
    list_display = ["to", "kind", "text", "instance", "created_at"]
    list_filter = ["kind"]
    search_fields = ["to", "text"]
    readonly_fields = ["instance", "to", "kind", "text", "media", "provider_message_id"]
