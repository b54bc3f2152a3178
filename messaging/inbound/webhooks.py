"""Gateway webhooks: ``/api/v1/webhooks/<provider>/…``.

Two ways to name and authenticate the instance (docs/PROVIDERS.md):

- ``<provider>/<webhook secret>[/<anything>]``: the secret in the URL is
  the credential, so gateways that cannot send headers work. Cloud API adds
  its ``X-Hub-Signature-256``, UAZapi its payload ``token``, the sandbox
  its signature. A trailing path (Evolution "webhook by events",
  UAZapi ``addUrlEvents``) is ignored.
- ``<provider>/i/<instance id>[/<anything>]``: the secret travels in a
  header instead (``X-Webhook-Secret``, or Evolution's HS256 JWT), or for
  UAZapi as the payload ``token``.

Order of checks: size (413) → instance + credentials (401, nothing read
further) → JSON (400) → the parser (400 on shape drift). Everything that
decides the answer happens here; the ingest itself does not: the body is
stored in the webhook inbox (one INSERT, ``messaging.inbound.inbox``), a
drain is woken (one Redis SET, ``messaging.inbound.wake``, sent with the
end of the webhook's flight, ``messaging.inbound.in_flight``) and a worker
ingests it (``messaging.inbound.drain``). A body whose every event is
ignored (unknown types, protocol chatter, placeholders) answers 200 and is
kept as a processed inbox row with the reasons (``messaging.inbound.ignored``),
so the gateway stops retrying and an operator can see why.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from core import metrics
from core.api import json_error
from core.logging import bind_log_context
from messaging.inbound.door import door_note, edge_stamp
from messaging.inbound.ignored import inbox_record_ignored
from messaging.inbound.in_flight import in_flight_enter, in_flight_leave
from messaging.inbound.inbox import inbox_partition, inbox_store
from messaging.inbound.tasks import inbox_wake
from providers.base import IgnoredEvent, WebhookPayloadError
from providers.registry import get_adapter, provider_slugs
from providers.selectors import instance_for_webhook, instance_for_webhook_by_id

logger = logging.getLogger(__name__)


def _max_body_bytes() -> int:
    return settings.WEBHOOK_MAX_BODY_BYTES


# What a refusal's status code says went wrong, for the rejected counter.
_REJECTION_REASONS = {401: "auth", 403: "auth", 413: "size", 400: "parse"}


def _counted(view):
    """Count every webhook by provider and answer (the provider label only
    from our own slugs: a URL's text never becomes a label)."""

    @functools.wraps(view)
    def counted(request, provider: str, *args, **kwargs):
        label = provider if provider in provider_slugs() else "unknown"
        try:
            response = view(request, provider, *args, **kwargs)
        except (OperationalError, InterfaceError):
            # core.middleware answers 503; the gateway will retry.
            metrics.WEBHOOKS_RECEIVED.labels(label, "503").inc()
            metrics.WEBHOOKS_REJECTED.labels(label, "unavailable").inc()
            raise
        metrics.WEBHOOKS_RECEIVED.labels(label, str(response.status_code)).inc()
        if request.method == "POST":
            length = request.META.get("CONTENT_LENGTH") or "0"
            metrics.WEBHOOK_BODY_BYTES.labels(label).observe(int(length) if length.isdigit() else 0)
        reason = _REJECTION_REASONS.get(response.status_code)
        if reason:
            metrics.WEBHOOKS_REJECTED.labels(label, reason).inc()
        return response

    return counted


@csrf_exempt
@_counted
def webhook_by_secret(request, provider: str, secret: str, suffix: str = ""):
    if provider not in provider_slugs():
        return json_error("unknown_provider", f"Unknown provider {provider!r}.", 404)
    if request.method == "GET":
        return _verify_subscription(request, provider, secret)
    return _receive(request, provider, secret=secret)


@csrf_exempt
@_counted
def webhook_by_instance(request, provider: str, instance_id, suffix: str = ""):
    if provider not in provider_slugs():
        return json_error("unknown_provider", f"Unknown provider {provider!r}.", 404)
    return _receive(request, provider, instance_id=instance_id)


def _verify_subscription(request, provider: str, secret: str):
    """Meta's GET handshake: echo ``hub.challenge`` when the verify token matches."""
    instance = instance_for_webhook(provider=provider, webhook_secret=secret)
    challenge = (
        get_adapter(instance).verify_subscription(request.GET) if instance is not None else None
    )
    if challenge is None:
        return json_error("forbidden", "Verification failed.", 403)
    return HttpResponse(challenge, content_type="text/plain")


def _receive(request, provider: str, *, secret: str | None = None, instance_id=None):
    if request.method != "POST":
        return json_error("method_not_allowed", "Use POST.", 405)
    limit = _max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _too_large(limit)
    try:
        raw_body = request.body
    except RequestDataTooBig:
        return _too_large(limit)
    if len(raw_body) > limit:
        return _too_large(limit)

    if secret is not None:
        instance = instance_for_webhook(provider=provider, webhook_secret=secret)
    else:
        instance = instance_for_webhook_by_id(provider=provider, instance_id=instance_id)
    if instance is None:
        return _unauthorized()
    bind_log_context(organization_id=instance.organization_id)
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: absurdly nested JSON is malformed too, not a 500.
        body = None
    adapter = get_adapter(instance)
    if not adapter.authenticate_webhook(
        raw_body=raw_body, headers=request.headers, body=body, secret_in_path=secret is not None
    ):
        return _unauthorized()
    if body is None:
        return json_error("malformed_json", "The body is not valid JSON.", 400)
    try:
        events = adapter.parse(body, request.headers)
    except WebhookPayloadError as exc:
        logger.warning("rejected %s webhook for instance %s: %s", provider, instance.pk, exc)
        return json_error("invalid_payload", str(exc), 400)
    if all(isinstance(event, IgnoredEvent) for event in events):
        for event in events:
            logger.info(
                "webhook event ignored: instance=%s event=%s reason=%s",
                instance.pk,
                event.event_type,
                event.reason,
            )
        # A body jsonb refuses (a \u0000 escape) is logged above and still answered 200.
        with contextlib.suppress(DataError):
            inbox_record_ignored(
                instance_id=instance.pk, raw_body=raw_body, body=body, events=events
            )
        return JsonResponse({"ok": True, "ignored": len(events)})
    try:
        body_text = raw_body.decode()
    except UnicodeDecodeError:  # JSON in UTF-16/32: rare enough to re-serialize
        body_text = json.dumps(body)
    partition = inbox_partition(events)
    stamp = edge_stamp(request.META)
    # In flight before the arrival is taken: a closer that sees nothing in
    # flight has seen every webhook that arrived before it looked.
    token = in_flight_enter(instance.pk, partition, stamp or timezone.now())
    inbox_id = None
    try:
        received_at = stamp or timezone.now()
        door_note(instance.pk, received_at)
        inbox_id = inbox_store(
            instance_id=instance.pk,
            raw_body=raw_body,
            body_text=body_text,
            partition=partition,
            received_at=received_at,
        )
    except DataError as exc:
        # JSON that jsonb refuses (a \u0000 escape, NaN): nothing can store it.
        logger.warning("unstorable %s webhook for instance %s: %s", provider, instance.pk, exc)
        return json_error("invalid_payload", "The body cannot be stored.", 400)
    finally:
        if inbox_id is None:
            # No new row (a duplicate, a refusal, an error): in flight no more.
            in_flight_leave(instance.pk, token)
    if inbox_id is None:
        return JsonResponse({"ok": True, "duplicate": True})
    # The new row is committed: out of flight, and its drain woken, in one Redis round trip.
    inbox_wake(instance.pk, partition, in_flight=token)
    return JsonResponse({"ok": True, "queued": True})


def _unauthorized():
    return json_error("unauthenticated", "Unknown instance or bad webhook credentials.", 401)


def _too_large(limit: int):
    return json_error(
        "payload_too_large", "The webhook body is too large.", 413, {"maxBytes": limit}
    )
