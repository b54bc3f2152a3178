"""Writes on instances: CRUD, connection state, QR codes, health checks."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import Conflict, DomainError, Unprocessable, ValidationError
from providers.base import ConnectionEvent, GatewayError, PairingNotSupported, QrCodeEvent
from providers.models import ConnectionStatus, Instance, Provider
from providers.registry import get_adapter, provider_slugs

logger = logging.getLogger(__name__)

INSTANCE_EDITABLE_FIELDS = (
    "name",
    "base_url",
    "credentials",
    "external_id",
    "app_secret",
    "verify_token",
    "concat_timeout",
    "ignore_groups",
    "default_department",
    "human_takeover_minutes",
    "transcribe_audio",
    "transcribe_video",
    "describe_images",
    "read_documents",
    "assistant",
    "is_active",
)


class GatewayUnavailable(DomainError):
    """The gateway could not be asked (down, misconfigured, refused us)."""

    status = 502
    code = "gateway_error"


# --- CRUD ----------------------------------------------------------------------


def instance_create(*, organization, name: str, provider: str, **fields) -> Instance:
    if provider not in provider_slugs():
        raise ValidationError(
            _("Unknown provider %(provider)r.") % {"provider": provider},
            details={"provider": [f"One of: {', '.join(provider_slugs())}."]},
        )
    instance = Instance(organization=organization, name=name, provider=provider)
    _apply(instance, fields)
    _check(instance)
    return _save(instance)


def instance_update(*, instance: Instance, **fields) -> Instance:
    _apply(instance, fields)
    _check(instance)
    return _save(instance)


def instance_delete(*, instance: Instance) -> None:
    instance.delete()


def _apply(instance: Instance, fields: dict) -> None:
    unknown = set(fields) - set(INSTANCE_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Cannot set %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    department = fields.get("default_department")
    if department is not None and department.organization_id != instance.organization_id:
        raise ValidationError(
            _("Unknown department."),
            details={"defaultDepartmentId": [gettext_noop("Not found.")]},
        )
    assistant = fields.get("assistant")
    if assistant is not None and assistant.organization_id != instance.organization_id:
        raise ValidationError(
            _("Unknown assistant."), details={"assistantId": [gettext_noop("Not found.")]}
        )
    for name, value in fields.items():
        setattr(instance, name, value)


def _check(instance: Instance) -> None:
    errors: dict[str, list[str]] = {}
    if not (instance.name or "").strip():
        errors["name"] = [gettext_noop("Required.")]
    if not 1 <= int(instance.concat_timeout or 0) <= 60:
        errors["concatTimeout"] = [gettext_noop("Between 1 and 60 seconds.")]
    needs_base_url = (Provider.EVOLUTION, Provider.UAZAPI, Provider.BAILEYS)
    if instance.provider in needs_base_url and not instance.base_url:
        errors["baseUrl"] = [gettext_noop("Required for this provider.")]
    if instance.provider in (Provider.EVOLUTION, Provider.CLOUDAPI) and not instance.external_id:
        errors["externalId"] = [
            gettext_noop("The Evolution instance name.")
            if instance.provider == Provider.EVOLUTION
            else gettext_noop("The Cloud API phone-number-id.")
        ]
    if instance.provider == Provider.CLOUDAPI and not instance.app_secret:
        errors["appSecret"] = [gettext_noop("Required: Cloud API webhooks are signed with it.")]
    if not isinstance(instance.credentials, dict):
        errors["credentials"] = [gettext_noop("Must be an object.")]
    if errors:
        # Each field is well-formed; together (or with what is stored) they are not.
        raise Unprocessable(_("The instance has invalid fields."), details=errors)


def _save(instance: Instance) -> Instance:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict(
            _("An instance with this name already exists."),
            code="instance_name_taken",
            details={"name": instance.name},
        ) from None
    return instance


# --- connection state ------------------------------------------------------


def instance_connection_update(
    *,
    instance: Instance,
    status: str,
    reason: str = "",
    phone_number: str = "",
    checked: bool = False,
) -> bool:
    """Record the gateway's connection state; True when it changed.

    ``connection_status_since`` moves only on a change, decided by a
    conditional UPDATE so concurrent webhooks and the poller agree.
    """
    now = timezone.now()
    always: dict = {}
    if checked:
        always["last_health_check_at"] = now
        always["last_health_error"] = reason if status == ConnectionStatus.ERROR else ""
    if phone_number:
        always["phone_number"] = phone_number
    changed_fields = {"connection_status": status, "connection_status_since": now}
    if status == ConnectionStatus.CONNECTED:
        # Paired: the old QR code and its pairing code are useless.
        changed_fields["qr_code"] = ""
        changed_fields["pairing_code"] = ""
    changed = (
        Instance.objects.filter(pk=instance.pk)
        .exclude(connection_status=status)
        .update(**changed_fields, **always)
    )
    if not changed and always:
        Instance.objects.filter(pk=instance.pk).update(**always)
    for name, value in {**always, **(changed_fields if changed else {})}.items():
        setattr(instance, name, value)
    if changed:
        logger.info("instance %s is now %s %s", instance.pk, status, reason)
    return bool(changed)


def instance_qr_code_update(*, instance: Instance, qr_code: str, pairing_code: str = "") -> None:
    """Store the gateway's newest QR code and the pairing code sent with it.

    Each QR event replaces both: a pairing code belongs to its QR (Evolution,
    pairing by phone number, asks WhatsApp for a fresh one with every rotated
    QR and sends it in that ``qrcode.updated``; without a number it sends
    ``null``), so a QR without one leaves no stale code on the page.
    """
    now = timezone.now()
    Instance.objects.filter(pk=instance.pk).update(
        qr_code=qr_code, pairing_code=pairing_code, qr_code_updated_at=now
    )
    instance.qr_code = qr_code
    instance.pairing_code = pairing_code
    instance.qr_code_updated_at = now


def instance_check_connection(*, instance: Instance) -> Instance:
    """Like instance_health_check, but a gateway failure is only recorded (ERROR + reason)."""
    try:
        return instance_health_check(instance=instance)
    except GatewayUnavailable:
        return instance


def instance_health_check(*, instance: Instance) -> Instance:
    """Ask the gateway for the connection state and record it.

    A gateway that cannot be reached is recorded as ERROR (with the reason)
    and reported as GatewayUnavailable (502).
    """
    try:
        state = get_adapter(instance).connection_state()
    except (GatewayError, LookupError) as exc:
        instance_connection_update(
            instance=instance, status=ConnectionStatus.ERROR, reason=str(exc)[:2000], checked=True
        )
        raise GatewayUnavailable(
            _("The gateway did not answer the health check: %(reason)s") % {"reason": exc},
            details={"instanceId": str(instance.pk)},
        ) from exc
    instance_connection_update(
        instance=instance,
        status=state.status,
        reason=state.reason,
        phone_number=state.phone_number,
        checked=True,
    )
    return instance


def instance_connect(*, instance: Instance) -> ConnectionEvent | QrCodeEvent:
    """Start pairing: store and return the QR code, or the state when already paired."""
    try:
        answer = get_adapter(instance).connect()
    except PairingNotSupported as exc:
        # The request is fine; this instance's provider pairs another way.
        raise Conflict(
            _("%(provider)s has no QR code pairing") % {"provider": instance.provider},
            code="qr_not_supported",
        ) from exc
    except (GatewayError, LookupError) as exc:
        raise GatewayUnavailable(
            _("The gateway did not return a QR code: %(reason)s") % {"reason": exc}
        ) from exc
    if isinstance(answer, QrCodeEvent):
        instance_qr_code_update(
            instance=instance, qr_code=answer.qr_code, pairing_code=answer.pairing_code
        )
        instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTING)
    else:
        instance_connection_update(
            instance=instance, status=answer.status, phone_number=answer.phone_number
        )
    return answer
