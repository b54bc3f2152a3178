from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin, OrganizationScopedInline
from sessions_app.models import ChatSession, SessionTabulation


class SessionTabulationInline(OrganizationScopedInline, admin.TabularInline):
    model = SessionTabulation
    extra = 0
    fields = ["tabulation", "added_by", "created_at"]
    readonly_fields = ["added_by", "created_at"]


@admin.register(ChatSession)
class ChatSessionAdmin(OrganizationScopedAdmin):
    list_display = [
        "contact",
        "status",
        "instance",
        "assigned_agent",
        "assigned_department",
        "ai_blocked_until",
        "last_message_at",
    ]
    list_filter = ["status", "started_by", "instance", "assigned_department", "organization"]
    search_fields = ["contact__name", "contact__phone", "external_id"]
    list_select_related = ["contact", "instance", "assigned_agent", "assigned_department"]
    readonly_fields = ["concat_seq", "created_at", "updated_at", "started_at", "closed_at"]
    raw_id_fields = ["contact"]
    inlines = [SessionTabulationInline]
