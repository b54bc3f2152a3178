from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin
from messaging.models import Message, Turn


@admin.register(Message)
class MessageAdmin(OrganizationScopedAdmin):
    list_display = [
        "created_at",
        "direction",
        "author",
        "kind",
        "text",
        "delivery_status",
        "transcription_status",
    ]
    list_filter = ["direction", "author", "kind", "delivery_status", "transcription_status"]
    search_fields = ["text", "transcription", "provider_message_id", "external_id"]
    raw_id_fields = ["session", "contact", "turn"]
    list_select_related = ["session"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Turn)
class TurnAdmin(OrganizationScopedAdmin):
    list_display = ["created_at", "session", "status", "messages_count", "dispatch_status"]
    list_filter = ["status", "dispatch_status", "close_reason"]
    raw_id_fields = ["session"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
