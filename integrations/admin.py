from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.admin_scope import OrganizationScopedAdmin, ServiceSavedAdmin
from core.errors import DomainError
from integrations import admin_views
from integrations.deliveries import delivery_redeliver
from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus, Integration
from integrations.services import (
    INTEGRATION_EDITABLE_FIELDS,
    integration_create,
    integration_update,
)

STATUS_CSS = {
    DeliveryStatus.SUCCEEDED: "atd-status-active",
    DeliveryStatus.FAILED: "atd-ai-blocked",
    DeliveryStatus.PENDING: "atd-status-queued",
}


def delivery_status_badge(status: str) -> str:
    return format_html('<span class="atd-status {}">{}</span>', STATUS_CSS.get(status, ""), status)


RECENT_DELIVERIES = 20


@admin.register(Integration)
class IntegrationAdmin(ServiceSavedAdmin):
    list_display = ["name", "url", "events", "is_active", "organization", "created_at"]
    list_filter = ["is_active", "organization"]
    search_fields = ["name", "url"]
    # The signing secret is shown once, in the API answer that generated
    # it; it never appears in the console.
    exclude = ["secret"]
    readonly_fields = ["recent_deliveries"]
    service_fields = INTEGRATION_EDITABLE_FIELDS

    def create_through_service(self, obj, data):
        # No secret given: the service generates the signing secret.
        return integration_create(organization=obj.organization, **data)

    def update_through_service(self, obj, data):
        integration_update(integration=obj, **data)

    class Media:
        css = {"all": ["atende/console.css"]}

    @admin.display(description=gettext_lazy("recent deliveries"))
    def recent_deliveries(self, integration):
        """The latest few, each linking to its attempts. Not an inline: an
        inline renders every delivery the integration ever had."""
        if integration.pk is None:
            return "—"
        latest = integration.deliveries.order_by("-created_at")[:RECENT_DELIVERIES]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:integrations_delivery_change", args=[delivery.pk]),
                    localtime(delivery.created_at).strftime("%d/%m/%Y %H:%M:%S"),
                    delivery.event,
                    delivery_status_badge(delivery.status),
                    delivery.attempts_count,
                    delivery.last_status_code or "—",
                )
                for delivery in latest
            ),
        )
        if not rows:
            return _("No deliveries yet.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table><small>{}</small>",
            _("created"),
            _("event"),
            _("status"),
            _("attempts"),
            _("last HTTP status"),
            rows,
            _("The %(count)s latest; every delivery is under Deliveries.")
            % {"count": RECENT_DELIVERIES},
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "number",
        "status_code",
        "latency_ms",
        "error",
        "response_excerpt",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(OrganizationScopedAdmin):
    list_display = [
        "created_at",
        "event",
        "integration",
        "status_column",
        "attempts_count",
        "last_status_code",
        "last_error_short",
    ]
    list_filter = ["status", "event", "integration"]
    list_select_related = ["integration"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver_action"]
    change_form_template = "admin/integrations/delivery/change_form.html"

    class Media:
        css = {"all": ["atende/console.css"]}

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if not request.user.is_superuser:
            # The integration filter would list every organization's endpoints.
            filters = [f for f in filters if f != "integration"]
        return filters

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_column(self, delivery):
        return delivery_status_badge(delivery.status)

    @admin.display(description=gettext_lazy("last error"))
    def last_error_short(self, delivery):
        error = delivery.last_error or ""
        return error if len(error) <= 60 else error[:57] + "…"

    def may_redeliver(self, request, delivery=None) -> bool:
        # Agents may replay a failed turn to the AI platform: it is the fix
        # for "the bot never answered", and the scope is their organization.
        return self.has_view_permission(request, delivery)

    @admin.action(description=gettext_lazy("Redeliver selected deliveries"))
    def redeliver_action(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                delivery_redeliver(delivery=delivery)
            except DomainError as exc:
                self.message_user(request, f"{delivery}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)s delivery queued again.", "%(count)s deliveries queued again.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )

    def get_urls(self):
        return [
            path(
                "<uuid:delivery_id>/redeliver/",
                self.admin_site.admin_view(self.redeliver_view),
                name="integrations_delivery_redeliver",
            ),
            *super().get_urls(),
        ]

    def redeliver_view(self, request, delivery_id):
        return admin_views.redeliver(request, self, delivery_id)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(OrganizationScopedAdmin):
    organization_path = "delivery__organization"
    list_display = ["created_at", "delivery", "number", "status_code", "latency_ms"]
    readonly_fields = [f.name for f in DeliveryAttempt._meta.fields]

    def has_add_permission(self, request):
        return False
