"""The instance page's own views (check now, pair, the connection poll)
and the HTML its connection and QR boxes draw.

Views are thin, as the conversation's (console/views.py): they find the
instance through its admin's scoped queryset (another organization's
instance is a 404), check the admin's permission, call one service and
report the outcome as a Django message. ``providers.admin.InstanceAdmin``
routes its URLs here.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from providers.base import QrCodeEvent
from providers.models import ConnectionStatus, Instance
from providers.qr import QrTooLong, is_image, qr_svg
from providers.services import instance_connect

# The console's words for connection states (the stored values stay English).
CONNECTION_LABELS = {
    ConnectionStatus.UNKNOWN: gettext_lazy("Unknown"),
    ConnectionStatus.CONNECTING: gettext_lazy("Connecting"),
    ConnectionStatus.CONNECTED: gettext_lazy("Connected"),
    ConnectionStatus.DISCONNECTED: gettext_lazy("Disconnected"),
    ConnectionStatus.ERROR: gettext_lazy("Error"),
}


def time_since(moment) -> str:
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
        _("received %(duration)s ago") % {"duration": time_since(instance.qr_code_updated_at)}
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


def _instance_for(model_admin, request, instance_id, *, change: bool = False) -> Instance:
    instance = model_admin.get_visible_object(request, instance_id)
    allowed = (
        model_admin.has_change_permission(request, instance)
        if change
        else model_admin.has_view_permission(request, instance)
    )
    if not allowed:
        raise PermissionDenied
    return instance


def _instance_page(instance: Instance) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:providers_instance_change", args=[instance.pk]))


@require_POST
def check_now(request, model_admin, instance_id):
    instance = _instance_for(model_admin, request, instance_id, change=True)
    model_admin.check_now_action(request, [instance])
    return _instance_page(instance)


@require_GET
def connection(request, model_admin, instance_id):
    """The instance page's poll: status and QR box, only for its organization."""
    instance = _instance_for(model_admin, request, instance_id)
    return JsonResponse(
        {
            "status": instance.connection_status,
            "connected": instance.connection_status == ConnectionStatus.CONNECTED,
            "version": qr_version(instance),
            "qrUpdatedAt": instance.qr_code_updated_at,
            "pairingCode": instance.pairing_code,
            "connectionHtml": model_admin.connection_column(instance),
            "qrHtml": qr_html(instance),
        }
    )


@require_POST
def connect(request, model_admin, instance_id):
    """Start pairing: the gateway answers with a QR code (shown on the page) or its state."""
    instance = _instance_for(model_admin, request, instance_id, change=True)
    try:
        answer = instance_connect(instance=instance)
    except DomainError as exc:
        model_admin.message_user(request, f"{instance.name}: {exc.message}", messages.ERROR)
    else:
        if isinstance(answer, QrCodeEvent):
            # The QR box shows the code (and a pairing code) and follows
            # the gateway's newer ones: the message only says what to do.
            if answer.qr_code:
                text = _("Scan the QR code below with the phone's WhatsApp.")
            else:
                text = _("Type the pairing code below in the phone's WhatsApp.")
            model_admin.message_user(request, text, messages.SUCCESS)
        else:
            model_admin.message_user(
                request,
                f"{instance.name}: {connection_label(answer.status)}",
                messages.SUCCESS,
            )
    return _instance_page(instance)
