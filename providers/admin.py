from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.admin_scope import OrganizationScopedAdmin, ServiceSavedAdmin
from core.errors import DomainError
from providers.base import QrCodeEvent
from providers.models import ConnectionStatus, Instance, SandboxOutboxMessage
from providers.qr import QrTooLong, is_image, qr_svg
from providers.registry import adapter_class
from providers.selectors import instance_webhook_url
from providers.services import (
    INSTANCE_EDITABLE_FIELDS,
    instance_connect,
    instance_create,
    instance_health_check,
    instance_update,
)

DOWN_STATUSES = [ConnectionStatus.DISCONNECTED, ConnectionStatus.ERROR]
# Gateways rotate the pairing QR about every 20 s: the page asks this often.
CONNECTION_POLL_SECONDS = 3
# The console's words for connection states (the stored values stay English).
CONNECTION_LABELS = {
    ConnectionStatus.UNKNOWN: gettext_lazy("Unknown"),
    ConnectionStatus.CONNECTING: gettext_lazy("Connecting"),
    ConnectionStatus.CONNECTED: gettext_lazy("Connected"),
    ConnectionStatus.DISCONNECTED: gettext_lazy("Disconnected"),
    ConnectionStatus.ERROR: gettext_lazy("Error"),
}


def _since(moment) -> str:
    """How long ago, for "received … ago" and the like. Under a minute Django
    says "0 minutes", which Portuguese plural rules make "0 minuto"."""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("less than a minute")
    return timesince(moment)


def connection_label(status: str) -> str:
    return str(CONNECTION_LABELS.get(status, status))


def qr_version(instance: Instance) -> str:
    """Changes whenever the page must redraw: a new QR or a new status."""
    updated = instance.qr_code_updated_at.isoformat() if instance.qr_code_updated_at else ""
    return f"{instance.connection_status}|{updated}"


def qr_html(instance: Instance) -> str:
    """The QR box's content: the newest QR and its pairing code, or why there is none."""
    if instance.connection_status == ConnectionStatus.CONNECTED:
        return format_html(
            '<p class="atd-qr-connected" data-connected="1">{}</p>',
            _("Connected: this number is paired, no QR code needed."),
        )
    code = instance.qr_code or ""
    pairing_code = instance.pairing_code or ""
    if not code and not pairing_code:
        return format_html(
            '<p class="atd-qr-empty">{}</p>',
            _("No QR code received (the gateway sends one while pairing)."),
        )
    updated = (
        _("received %(duration)s ago") % {"duration": _since(instance.qr_code_updated_at)}
        if instance.qr_code_updated_at
        else ""
    )
    if not code:
        # Pairing by phone number (UAZapi): a code to type, no QR at all.
        return pairing_code_html(
            pairing_code, _("Type this pairing code on the phone:"), updated=updated
        )
    qr = qr_image_html(code, updated)
    if not pairing_code:
        return qr
    return format_html(
        '<div class="atd-qr-pairing">{}{}</div>',
        qr,
        pairing_code_html(pairing_code, _("Or type this pairing code on the phone:")),
    )


def qr_image_html(code: str, updated: str) -> str:
    if is_image(code):
        return format_html(
            '<div class="atd-qr"><img src="{}" alt="{}"><br><small>{}</small></div>',
            code,
            _("QR code"),
            updated,
        )
    # A raw pairing string (Baileys bridges, some gateway versions): drawn here.
    try:
        svg = qr_svg(code)
    except QrTooLong:
        return format_html(
            '<div class="atd-qr"><pre id="atd-qr-raw">{}</pre><small>{} {}</small></div>',
            code,
            _("Too long for a QR code: not a pairing code?"),
            updated,
        )
    return format_html(
        '<div class="atd-qr">{}<br><small>{}</small>'
        '<details><summary>{}</summary><pre id="atd-qr-raw">{}</pre></details>'
        "</div>",
        mark_safe(svg),  # noqa: S308 (segno's markup: the code is not in it as text)
        updated,
        _("Raw QR text"),
        code,
    )


def pairing_code_html(pairing_code: str, label: str, updated: str = "") -> str:
    """Typed by hand on the phone (WhatsApp > Linked devices > Link with
    phone number instead): shown large."""
    return format_html(
        '<div class="atd-pairing"><p>{}</p>'
        '<strong class="atd-pairing-code" id="atd-pairing-code">{}</strong>'
        "<br><small>{}</small></div>",
        label,
        pairing_code,
        updated,
    )


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
            duration = _since(instance.connection_status_since)
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
        return _("%(duration)s ago") % {"duration": _since(instance.last_health_check_at)}

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
        return [
            path(
                "<uuid:instance_id>/check-now/",
                self.admin_site.admin_view(self.check_now_view),
                name="providers_instance_check_now",
            ),
            path(
                "<uuid:instance_id>/connect/",
                self.admin_site.admin_view(self.connect_view),
                name="providers_instance_connect",
            ),
            path(
                "<uuid:instance_id>/connection/",
                self.admin_site.admin_view(self.connection_view),
                name="providers_instance_connection",
            ),
            *super().get_urls(),
        ]

    def check_now_view(self, request, instance_id):
        return require_POST(self._check_now)(request, instance_id)

    def _check_now(self, request, instance_id):
        instance = self.get_visible_object(request, instance_id)
        if not self.has_change_permission(request, instance):
            raise PermissionDenied
        self.check_now_action(request, [instance])
        return HttpResponseRedirect(reverse("admin:providers_instance_change", args=[instance.pk]))

    def connection_view(self, request, instance_id):
        return require_GET(self._connection)(request, instance_id)

    def _connection(self, request, instance_id):
        """The instance page's poll: status and QR box, only for its organization."""
        instance = self.get_visible_object(request, instance_id)
        if not self.has_view_permission(request, instance):
            raise PermissionDenied
        return JsonResponse(
            {
                "status": instance.connection_status,
                "connected": instance.connection_status == ConnectionStatus.CONNECTED,
                "version": qr_version(instance),
                "qrUpdatedAt": instance.qr_code_updated_at,
                "pairingCode": instance.pairing_code,
                "connectionHtml": self.connection_column(instance),
                "qrHtml": qr_html(instance),
            }
        )

    def connect_view(self, request, instance_id):
        return require_POST(self._connect)(request, instance_id)

    def _connect(self, request, instance_id):
        """Start pairing: the gateway answers with a QR code (shown on the page) or its state."""
        instance = self.get_visible_object(request, instance_id)
        if not self.has_change_permission(request, instance):
            raise PermissionDenied
        try:
            answer = instance_connect(instance=instance)
        except DomainError as exc:
            self.message_user(request, f"{instance.name}: {exc.message}", messages.ERROR)
        else:
            if isinstance(answer, QrCodeEvent):
                # The QR box shows the code (and a pairing code) and follows
                # the gateway's newer ones: the message only says what to do.
                if answer.qr_code:
                    text = _("Scan the QR code below with the phone's WhatsApp.")
                else:
                    text = _("Type the pairing code below in the phone's WhatsApp.")
                self.message_user(request, text, messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"{instance.name}: {connection_label(answer.status)}",
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(reverse("admin:providers_instance_change", args=[instance.pk]))


@admin.register(SandboxOutboxMessage)
class SandboxOutboxMessageAdmin(OrganizationScopedAdmin):
    organization_path = "instance__organization"
    list_display = ["to", "kind", "text", "instance", "created_at"]
    list_filter = ["kind"]
    search_fields = ["to", "text"]
    readonly_fields = ["instance", "to", "kind", "text", "media", "provider_message_id"]
