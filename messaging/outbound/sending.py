"""Sending outbound messages through the instance's gateway, and their delivery status.

- ``outbound_enqueue(message)``: queue the send task after the transaction commits.
- ``send_message`` (Celery): claims the message with a conditional UPDATE
  (two deliveries of the task cannot both send), calls the adapter, stores
  the provider id and SENT. Transient gateway errors (timeouts, 429, 5xx)
  retry with exponential backoff; permanent ones (400/401/404, number not on
  WhatsApp) mark the message FAILED with the gateway's reason.
- ``message_apply_status``: delivery status only moves forward
  (``DELIVERY_STATUS_RANK``), whatever order the webhooks arrive in.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import metrics
from core.backoff import backoff_seconds
from core.logging import bind_log_context
from messaging import pipeline
from messaging.models import (
    DELIVERY_STATUS_RANK,
    MEDIA_KINDS,
    Author,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
)
from messaging.outbound.rich import interactive_from_payload
from providers.base import (
    GatewayError,
    OutboundMedia,
    PermanentGatewayError,
    SendResult,
    TransientGatewayError,
)
from providers.registry import get_adapter
from providers.rich import OutboundTemplate

logger = logging.getLogger(__name__)

SEND_MAX_RETRIES = 5
# A status webhook can beat the send task to the provider id; it waits here.
EARLY_STATUS_TTL = 600
_STATUS_TIME_FIELD = {
    DeliveryStatus.SENT: "sent_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.READ: "read_at",
    DeliveryStatus.FAILED: "failed_at",
}


def outbound_enqueue(message: Message) -> None:
    """Send ``message`` through its instance's gateway once the transaction commits."""
    message_id = str(message.pk)
    transaction.on_commit(lambda: send_message.delay(message_id))


# --- delivery status ---------------------------------------------------------


def message_apply_status(
    *,
    instance,
    provider_message_id: str,
    status: str,
    error: str = "",
    at: datetime | None = None,
    error_code: str = "",
    error_title: str = "",
) -> bool:
    """Move an outbound message's status forward; False when it would not move.

    One conditional UPDATE (``delivery_status`` in the lower ranks) makes
    concurrent and out-of-order webhooks safe: DELIVERED after READ changes
    nothing, READ after FAILED still wins (the customer did read it).
    """
    instance_id = getattr(instance, "pk", instance)
    rank = DELIVERY_STATUS_RANK[DeliveryStatus(status)]
    lower = [s for s, r in DELIVERY_STATUS_RANK.items() if r < rank]
    if not lower:
        return False
    at = at or timezone.now()
    fields: dict = {"delivery_status": status, "updated_at": timezone.now()}
    time_field = _STATUS_TIME_FIELD[status]
    fields[time_field] = Coalesce(F(time_field), at)
    if status == DeliveryStatus.FAILED:
        fields["delivery_error"] = (error or "failed")[:2000]
        fields["delivery_error_code"] = error_code[:20]
        fields["delivery_error_title"] = error_title[:200]
    if status == DeliveryStatus.READ:
        fields["delivered_at"] = Coalesce(F("delivered_at"), at)
    if status in (DeliveryStatus.DELIVERED, DeliveryStatus.READ):
        fields["sent_at"] = Coalesce(F("sent_at"), at)
    updated = Message.objects.filter(
        instance_id=instance_id,
        provider_message_id=provider_message_id,
        direction=Direction.OUTBOUND,
        delivery_status__in=lower,
    ).update(**fields)
    if not updated:
        if not Message.objects.filter(
            instance_id=instance_id, provider_message_id=provider_message_id
        ).exists():
            _remember_early_status(
                instance_id, provider_message_id, status, (error, error_code, error_title)
            )
        return False
    message = Message.objects.select_related("session").get(
        instance_id=instance_id, provider_message_id=provider_message_id
    )
    pipeline.on_message_status_changed(message)
    return True


def _early_key(instance_id, provider_message_id: str) -> str:
    return f"atende:early-status:{instance_id}:{provider_message_id}"


def _remember_early_status(instance_id, provider_message_id: str, status: str, error: tuple):
    key = _early_key(instance_id, provider_message_id)
    previous = cache.get(key)
    if previous and DELIVERY_STATUS_RANK[previous[0]] >= DELIVERY_STATUS_RANK[status]:
        return
    cache.set(key, (status, error), EARLY_STATUS_TTL)


# --- sending -----------------------------------------------------------------


def _backoff_seconds(retries: int) -> float:
    # ``retries`` counts the retries already made: this is retry retries + 1.
    return backoff_seconds(
        retries + 1, base=settings.OUTBOUND_RETRY_BASE_SECONDS, cap=600.0, jitter=0.2
    )


@shared_task(
    name="messaging.outbound.send_message",
    bind=True,
    max_retries=SEND_MAX_RETRIES,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def send_message(self, message_id: str) -> None:
    message = (
        Message.objects.select_related("instance", "instance__organization", "contact")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.direction != Direction.OUTBOUND or not message.send_external:
        return
    if message.provider_message_id or message.delivery_status != DeliveryStatus.PENDING:
        return  # already sent (or failed, or moved on by a status webhook)
    claimed = Message.objects.filter(
        pk=message.pk,
        send_attempts=message.send_attempts,
        provider_message_id__isnull=True,
        delivery_status=DeliveryStatus.PENDING,
    ).update(send_attempts=F("send_attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return  # another delivery of this task got here first
    attempts = message.send_attempts + 1
    bind_log_context(
        organization_id=message.organization_id,
        session_id=message.session_id,
        message_id=message.pk,
    )
    provider = message.instance.provider
    try:
        result = _send(message)
    except TransientGatewayError as exc:
        metrics.GATEWAY_ERRORS.labels(provider, "transient").inc()
        if self.request.retries >= self.max_retries:
            _fail(message, f"Gave up after {attempts} attempts: {exc.message}")
            return
        Message.objects.filter(pk=message.pk).update(delivery_error=exc.message[:2000])
        logger.warning("send of message %s failed, will retry: %s", message.pk, exc.message)
        raise self.retry(countdown=_backoff_seconds(self.request.retries), exc=exc) from None
    except PermanentGatewayError as exc:
        metrics.GATEWAY_ERRORS.labels(provider, "permanent").inc()
        _fail(message, exc.message, code=exc.error_code, title=exc.error_title)
        return
    except (GatewayError, LookupError) as exc:
        metrics.GATEWAY_ERRORS.labels(provider, "permanent").inc()
        _fail(message, str(exc))
        return
    _mark_sent(message, result)
    metrics.OUTBOUND_SENDS.labels(provider, "sent").inc()


@shared_task(
    name="messaging.outbound.outbound_requeue_lost",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def outbound_requeue_lost(limit: int = 500) -> int:
    """Queue again the sends whose task was lost (Redis flushed, worker killed).

    A message still PENDING, never given a provider id, untouched for longer
    than any retry backoff, with attempts left, lost its task. If the gateway
    did accept it before the worker died, its echo webhook has already given
    the row a provider id (see messaging.inbound.echoes), so it is not sent twice.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOUND_REQUEUE_AFTER_SECONDS)
    lost = list(
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            send_external=True,
            delivery_status=DeliveryStatus.PENDING,
            provider_message_id__isnull=True,
            send_attempts__lte=SEND_MAX_RETRIES,
            updated_at__lt=cutoff,
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in lost:
        send_message.delay(str(message_id))
    if lost:
        logger.warning("re-queued %s outbound message(s) whose send task was lost", len(lost))
    return len(lost)


def _recipient(message: Message) -> str:
    contact = message.contact
    if contact.phone:
        return contact.phone
    # Phone-less contacts (groups, senders WhatsApp shows only as @lid):
    # gateways accept the JID itself.
    wa_ids = list(contact.whatsapp_ids.values_list("wa_id", flat=True))
    for suffix in ("@g.us", "@lid", "@s.whatsapp.net"):
        for wa_id in wa_ids:
            if wa_id.endswith(suffix):
                return wa_id
    raise PermanentGatewayError("the contact has no phone number or WhatsApp id")


def _send(message: Message) -> SendResult:
    adapter = get_adapter(message.instance)
    to = _recipient(message)
    quoted_id = (message.payload or {}).get("quotedId")
    payload = message.payload or {}
    if message.kind == MessageKind.TEXT or payload.get("fallback"):
        # A numbered menu (``fallback``) is plain text to the gateway.
        return adapter.send_text(to=to, text=message.text, quoted_id=quoted_id)
    if message.kind == MessageKind.INTERACTIVE:
        return adapter.send_interactive(to=to, interactive=interactive_from_payload(payload))
    if message.kind == MessageKind.TEMPLATE:
        template = payload["template"]
        return adapter.send_template(
            to=to,
            template=OutboundTemplate(
                name=template["name"],
                language=template["language"],
                components=tuple(template["components"]),
            ),
        )
    if message.kind not in MEDIA_KINDS:
        raise PermanentGatewayError(f"cannot send a {message.kind} message")
    url = (message.media_ref or {}).get("url") or (message.payload or {}).get("mediaUrl")
    data = None
    if not url:
        if not message.media_file:
            raise PermanentGatewayError("the media message has no file and no URL")
        with message.media_file.open("rb") as handle:
            data = handle.read()
    media = OutboundMedia(
        kind=message.kind,
        mimetype=message.media_mimetype,
        filename=message.media_filename,
        caption=message.text,
        url=url,
        data=data,
    )
    return adapter.send_media(to=to, media=media)


def _mark_sent(message: Message, result: SendResult) -> None:
    provider_id = result.provider_message_id
    try:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk, provider_message_id__isnull=True).update(
                provider_message_id=provider_id
            )
    except IntegrityError:
        # The gateway's echo arrived first and could not be matched, so it
        # was stored as a BUSINESS message. Ours is the real one.
        try:
            with transaction.atomic():
                Message.objects.filter(
                    instance_id=message.instance_id,
                    provider_message_id=provider_id,
                    author=Author.BUSINESS,
                ).delete()
                Message.objects.filter(pk=message.pk, provider_message_id__isnull=True).update(
                    provider_message_id=provider_id
                )
        except IntegrityError:
            # A twin outbound row (same text, sent at the same moment) adopted
            # this id from the echo. Ours was sent all the same: record that,
            # and leave the id and its later receipts to the twin.
            logger.warning(
                "provider id %s of message %s is held by another outbound row",
                provider_id,
                message.pk,
            )
            Message.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.PENDING).update(
                delivery_status=DeliveryStatus.SENT, sent_at=timezone.now(), delivery_error=""
            )
            return
    message_apply_status(
        instance=message.instance_id, provider_message_id=provider_id, status=DeliveryStatus.SENT
    )
    early = cache.get(_early_key(message.instance_id, provider_id))
    if early:
        cache.delete(_early_key(message.instance_id, provider_id))
        # (error, code, title); a plain string from a process of an older release.
        details = early[1] if isinstance(early[1], tuple | list) else (early[1], "", "")
        error, error_code, error_title = details
        message_apply_status(
            instance=message.instance_id,
            provider_message_id=provider_id,
            status=early[0],
            error=error,
            error_code=error_code,
            error_title=error_title,
        )


def _fail(message: Message, reason: str, *, code: str = "", title: str = "") -> None:
    now = timezone.now()
    updated = Message.objects.filter(
        pk=message.pk, delivery_status=DeliveryStatus.PENDING, provider_message_id__isnull=True
    ).update(
        delivery_status=DeliveryStatus.FAILED,
        delivery_error=(reason or "failed")[:2000],
        delivery_error_code=code[:20],
        delivery_error_title=title[:200],
        failed_at=now,
        updated_at=now,
    )
    logger.warning("message %s FAILED: %s", message.pk, reason)
    metrics.OUTBOUND_SENDS.labels(message.instance.provider, "failed").inc()
    if updated:
        message.refresh_from_db()
        pipeline.on_message_status_changed(message)
