"""Operators' pages for messaging's own rows: turns and the webhook inbox."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_scope import OrganizationScopedAdmin
from messaging.inbound.retry import inbox_retry
from messaging.models import Turn, WebhookInbox


@admin.register(Turn)
class TurnAdmin(OrganizationScopedAdmin):
    department_path = "session__assigned_department"
    list_display = ["created_at", "session", "status", "messages_count", "dispatch_status"]
    list_filter = ["status", "dispatch_status", "close_reason"]
    raw_id_fields = ["session"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IgnoredFilter(admin.SimpleListFilter):
    title = gettext_lazy("ignored events")
    parameter_name = "ignored"

    def lookups(self, request, model_admin):
        return [("yes", _("With ignored events"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(result__ignored__gt=0)
        return queryset


@admin.register(WebhookInbox)
class WebhookInboxAdmin(OrganizationScopedAdmin):
    """Gateway webhooks as received: for operators tracing a message that did
    not show up (rows failing to ingest keep their ``last_error``)."""

    organization_path = "instance__organization"
    list_display = [
        "id",
        "instance",
        "received_at",
        "processed_at",
        "attempts",
        "last_error",
        "ignored_reasons",
    ]
    list_filter = [("processed_at", admin.EmptyFieldListFilter), IgnoredFilter, "instance"]
    search_fields = ["body_sha256", "last_error"]
    list_select_related = ["instance"]
    readonly_fields = [f.name for f in WebhookInbox._meta.fields]
    actions = ["ingest_again"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    @admin.display(description=gettext_lazy("Ignored events"))
    def ignored_reasons(self, row):
        # Why an event changed nothing (unknown type, placeholder, a message we do not have).
        reasons = (row.result or {}).get("ignoredReasons") or []
        return format_html_join(mark_safe("<br>"), "{}", ((r,) for r in reasons))  # noqa: S308

    def has_retry_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=gettext_lazy("Ingest again (clears attempts and error)"), permissions=["retry"]
    )
    def ingest_again(self, request, queryset):
        count = inbox_retry(queryset)
        self.message_user(
            request,
            _(
                "%(count)s row(s) queued to be ingested again; processed rows and rows a run is "
                "working on were left as they are."
            )
            % {"count": count},
        )

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
