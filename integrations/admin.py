from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin
from integrations.models import Delivery, DeliveryAttempt, Integration


@admin.register(Integration)
class IntegrationAdmin(OrganizationScopedAdmin):
    list_display = ["name", "url", "is_active", "organization", "created_at"]
    list_filter = ["is_active", "organization"]
    search_fields = ["name", "url"]
    exclude = ["secret"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "status_code", "latency_ms", "error", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(OrganizationScopedAdmin):
    list_display = ["created_at", "event", "integration", "status", "attempts_count"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request):
        return False


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(OrganizationScopedAdmin):
    organization_path = "delivery__organization"
    list_display = ["created_at", "delivery", "number", "status_code", "latency_ms"]
    readonly_fields = [f.name for f in DeliveryAttempt._meta.fields]

    def has_add_permission(self, request):
        return False
