from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_scope import OrganizationScopedAdmin, ServiceSavedAdmin
from core.errors import DomainError
from providers import admin_views
from providers.admin_views import connection_label, qr_html, qr_version, time_since
from providers.models import ConnectionStatus, Instance, SandboxOutboxMessage
from providers.registry import adapter_class
from providers.selectors import instance_webhook_url
from providers.services import (
    INSTANCE_EDITABLE_FIELDS,
    instance_create,
    instance_health_check,
    instance_update,
)

# The templates page registers itself with the admin on import.
from providers.templates import admin as templates_admin  # noqa: F401

DOWN_STATUSES = [ConnectionStatus.DISCONNECTED, ConnectionStatus.ERROR]
# Gateways rotate the pairing QR about every 20 s: the page asks this often.
CONNECTION_POLL_SECONDS = 3


class ConnectionFilter(admin.SimpleListFilter):
    title = gettext_lazy("connection")
    parameter_name = "connection"

    def lookups(self, request, model_admin):
        return [
            ("down", _("Down (disconnected or error)")),
            *((status, connection_label(status)) for status in ConnectionStatus.values),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "down":
            return queryset.filter(connection_status__in=DOWN_STATUSES)
        if value in ConnectionStatus.values:
            return queryset.filter(connection_status=value)
        return queryset


@admin.register(Instance)
class InstanceAdmin(ServiceSavedAdmin):
    list_display = [
        "name",
        "provider",
        "connection_column",
        "health_column",
        "is_active",
        "organization",
    ]
    list_filter = ["provider", ConnectionFilter, "is_active", "organization"]
    search_fields = ["name", "external_id", "phone_number"]
    # Gateway credentials and signing secrets never appear in the console.
    # The webhook secret is shown read-only: the operator pastes the URL
    # into the gateway.
    exclude = [
        "credentials",
        "webhook_secret",
        "app_secret",
        "verify_token",
        "qr_code",
        "pairing_code",
        # What the gateway reports, not settings: shown read-only by the
        # connection, health and QR columns below, written by the webhooks
        # and the health check only.
        "connection_status",
        "connection_status_since",
        "last_health_check_at",
        "qr_code_updated_at",
    ]
    readonly_fields = [
        "connection_column",
        "health_column",
        "last_health_error",
        "qr_code_column",
        "created_at",
        "updated_at",
    ]
    actions = ["check_now_action"]
    change_form_template = "admin/providers/instance/change_form.html"
    service_fields = ("name", "provider", *INSTANCE_EDITABLE_FIELDS)

    class Media:
        css = {"all": ["atende/console.css"]}
        js = ["atende/console.js"]

    def create_through_service(self, obj, data):
        return instance_create(organization=obj.organization, **data)

    def update_through_service(self, obj, data):
        # The API never changes a provider; the console may, and the service's
        # checks then judge the instance as one of the new provider.
        if "provider" in data:
            obj.provider = data.pop("provider")
        instance_update(instance=obj, **data)

    def get_readonly_fields(self, request, obj=None):
        # The number is given once, when the instance is created.
        if obj is not None:
            return [*self.readonly_fields, "phone_number"]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            hidden = set(self.readonly_fields)
            return [(None, {"fields": [f for f in fieldsets[0][1]["fields"] if f not in hidden]})]
        return fieldsets

    @admin.display(description=gettext_lazy("connection"), ordering="connection_status")
    def connection_column(self, instance):
        since = ""
        if instance.connection_status_since:
            duration = time_since(instance.connection_status_since)
            since = _("for %(duration)s") % {"duration": duration}
        css = {
            ConnectionStatus.CONNECTED: "atd-status-active",
            ConnectionStatus.CONNECTING: "atd-status-queued",
        }.get(instance.connection_status, "atd-ai-blocked")
        return format_html(
            '<span class="atd-status {}" data-status="{}">{}</span> '
            '<small class="atd-when">{}</small>',
            css,
            instance.connection_status,
            connection_label(instance.connection_status),
            since,
        )

    @admin.display(description=gettext_lazy("last health check"), ordering="last_health_check_at")
    def health_column(self, instance):
        if not instance.last_health_check_at:
            return _("never")
        return _("%(duration)s ago") % {"duration": time_since(instance.last_health_check_at)}

    @admin.display(description=gettext_lazy("QR code"))
    def qr_code_column(self, instance):
        """The newest QR and its pairing code, inside a box the page refreshes
        (console.js polls the connection view) until the number is connected."""
        return format_html(
            '<div id="atd-qr-live" data-poll-url="{}" data-poll-seconds="{}" data-version="{}" '
            'data-status="{}">{}</div>',
            reverse("admin:providers_instance_connection", args=[instance.pk]),
            CONNECTION_POLL_SECONDS,
            qr_version(instance),
            instance.connection_status,
            qr_html(instance),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        instance = self.get_visible_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "webhook_url": instance_webhook_url(instance, request),
            "webhook_secret": instance.webhook_secret,
            "can_pair": adapter_class(instance.provider).pairs_by_qr(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Check connection now"))
    def check_now_action(self, request, queryset):
        for instance in queryset:
            try:
                instance_health_check(instance=instance)
            except DomainError as exc:
                self.message_user(request, f"{instance.name}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{instance.name}: {connection_label(instance.connection_status)}",
                messages.SUCCESS
                if instance.connection_status == ConnectionStatus.CONNECTED
                else messages.WARNING,
            )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<uuid:instance_id>/check-now/",
                wrap(self.check_now_view),
                name="providers_instance_check_now",
            ),
            path(
                "<uuid:instance_id>/connect/",
                wrap(self.connect_view),
                name="providers_instance_connect",
            ),
            path(
                "<uuid:instance_id>/connection/",
                wrap(self.connection_view),
                name="providers_instance_connection",
            ),
            *super().get_urls(),
        ]

    def check_now_view(self, request, instance_id):
        return admin_views.check_now(request, self, instance_id)

    def connect_view(self, request, instance_id):
        return admin_views.connect(request, self, instance_id)

    def connection_view(self, request, instance_id):
        return admin_views.connection(request, self, instance_id)


@admin.register(SandboxOutboxMessage)
class SandboxOutboxMessageAdmin(OrganizationScopedAdmin):
    organization_path = "instance__organization"
    list_display = ["to", "kind", "text", "instance", "created_at"]
    list_filter = ["kind"]
    search_fields = ["to", "text"]
    readonly_fields = ["instance", "to", "kind", "text", "media", "provider_message_id"]
