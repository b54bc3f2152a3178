"""Writes for integrations: endpoints, the delivery outbox, signed sending.

An event becomes one Delivery row per subscribed integration (the outbox),
written in the caller's transaction; a task sends it after commit. Each try
is claimed with a conditional UPDATE, so two workers never send the same
attempt, and every try leaves a DeliveryAttempt.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import metrics
from core.errors import Conflict, ValidationError
from core.http import http_session
from core.logging import bind_log_context
from core.timefmt import iso_utc
from integrations.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    Integration,
    new_signing_secret,
)
from integrations.selectors import integrations_subscribed

logger = logging.getLogger(__name__)

EVENT_NAMES = frozenset(Event.values)
INTEGRATION_EDITABLE_FIELDS = ("name", "url", "events", "secret", "is_active", "timeout_seconds")
# Seconds a claimed attempt may take before the sweeper assumes the worker
# died with it and offers it again (added to the integration's timeout).
CLAIM_LEASE_MARGIN_SECONDS = 30
RESPONSE_EXCERPT_CHARS = 500
# Answers that say the receiver will never take this event (bad request,
# wrong credentials, gone): retrying for an hour changes nothing, so the
# delivery fails at once with the reason. 408, 429 and 5xx are transient.
PERMANENT_STATUS_CODES = frozenset({400, 401, 403, 404, 410, 422})
# A receiver's Retry-After is honoured up to this many seconds; a longer one
# would park the event past any use to a conversation.
RETRY_AFTER_MAX_SECONDS = 3600


def _clean_url(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            _("The URL must be an absolute http(s) URL."),
            details={"url": [gettext_noop("Invalid URL.")]},
        )
    return url


def _clean_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError(
            _("Subscribe to at least one event."),
            details={"events": [gettext_noop("Must be a non-empty list.")]},
        )
    unknown = sorted({str(e) for e in events} - EVENT_NAMES)
    if unknown:
        raise ValidationError(
            _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)},
            details={"events": [f"Allowed: {', '.join(sorted(EVENT_NAMES))}."]},
        )
    return sorted(set(events))


def integration_create(
    *,
    organization,
    name: str,
    url: str,
    events: list[str],
    secret: str | None = None,
    is_active: bool = True,
    timeout_seconds: int | None = None,
) -> Integration:
    if not (name or "").strip():
        raise ValidationError(
            _("A name is required."), details={"name": [gettext_noop("Required.")]}
        )
    extra = {"timeout_seconds": timeout_seconds} if timeout_seconds is not None else {}
    return Integration.objects.create(
        organization=organization,
        name=name.strip(),
        url=_clean_url(url),
        events=_clean_events(events),
        secret=secret or new_signing_secret(),
        is_active=is_active,
        **extra,
    )


def integration_update(*, integration: Integration, **fields) -> Integration:
    unknown = set(fields) - set(INTEGRATION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "url" in fields:
        fields["url"] = _clean_url(fields["url"])
    if "events" in fields:
        fields["events"] = _clean_events(fields["events"])
    if "secret" in fields and not fields["secret"]:
        fields["secret"] = new_signing_secret()
    if "name" in fields:
        if not (fields["name"] or "").strip():
            raise ValidationError(
                _("A name is required."), details={"name": [gettext_noop("Required.")]}
            )
        fields["name"] = fields["name"].strip()
    for key, value in fields.items():
        setattr(integration, key, value)
    integration.save()
    return integration


def integration_delete(*, integration: Integration) -> None:
    integration.delete()


def event_publish(
    *,
    organization,
    event: str,
    payload: dict,
    dedupe_key: str,
    turn=None,
    integrations: list[Integration] | None = None,
    send_inline: bool = False,
) -> list[Delivery]:
    """Write one outbox row per active integration subscribed to ``event``.

    The same (integration, event, dedupe_key) is stored once: publishing an
    event again (a retried task, a second worker) adds nothing. Sending
    starts after the caller's transaction commits: by a task, or with
    ``send_inline`` (callers already inside a worker task) in this process.
    ``integrations``: the subscribed ones, when the caller already has them.
    """
    organization_id = getattr(organization, "pk", organization)
    body = {"event": event, "organizationId": str(organization_id), **payload}
    now = timezone.now()
    if integrations is None:
        integrations = integrations_subscribed(organization_id, event)
    rows = [
        Delivery(
            organization_id=organization_id,
            integration=integration,
            event=event,
            dedupe_key=str(dedupe_key)[:200],
            payload=body,
            turn=turn,
            next_attempt_at=now,
        )
        for integration in integrations
    ]
    if not rows:
        return []
    # ON CONFLICT DO NOTHING on (integration, event, dedupe_key); the ids are
    # made here, so the rows that exist under them now are the ones we added.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    inserted = set(
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
    )
    created = [r for r in rows if r.pk in inserted]
    if send_inline and created:
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: _send_now(ids))
    else:
        for delivery in created:
            _enqueue_send(delivery.pk)
    return created


def _send_now(delivery_ids: list) -> None:
    # If this process dies before or during these attempts, the rows stay
    # PENDING and deliveries_requeue_lost offers them again.
    for delivery_id in delivery_ids:
        try:
            delivery_attempt(delivery_id=delivery_id)
        except Exception:
            logger.exception("inline delivery attempt %s failed; queued instead", delivery_id)
            _enqueue_send(delivery_id)


def _enqueue_send(delivery_id, countdown: float = 0) -> None:
    from integrations.tasks import delivery_send

    def send() -> None:
        delivery_send.apply_async((str(delivery_id),), countdown=countdown)

    transaction.on_commit(send)


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Offer a delivery again from the start (failed ones, or a manual replay).

    Refused while an attempt is in flight or a retry is scheduled (PENDING
    with ``next_attempt_at`` ahead): resetting it then would let a second
    worker send the same event alongside the first.
    """
    now = timezone.now()
    reset = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.PENDING, next_attempt_at__gt=now)
        .update(
            status=DeliveryStatus.PENDING,
            attempts_count=0,
            next_attempt_at=now,
            last_error="",
            delivered_at=None,
            updated_at=now,
        )
    )
    delivery.refresh_from_db()
    if not reset:
        raise Conflict(
            _("This delivery is already being delivered; its next attempt is scheduled."),
            code="delivery_in_progress",
            details={
                "deliveryId": str(delivery.pk),
                "nextAttemptAt": iso_utc(delivery.next_attempt_at),
            },
        )
    _enqueue_send(delivery.pk)
    return delivery


def retry_backoff_seconds() -> list[int]:
    return list(settings.INTEGRATION_RETRY_BACKOFF_SECONDS)


def retry_after_seconds(value: str | None) -> int | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = int((when - timezone.now()).total_seconds())
    return min(max(seconds, 0), RETRY_AFTER_MAX_SECONDS)


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def delivery_body(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def delivery_attempt(*, delivery_id) -> str:
    """Claim and make one attempt. Returns what happened (for logs and tests).

    The claim moves ``next_attempt_at`` past the request's deadline, so a
    duplicate task (the sweeper re-queued it, the broker redelivered it)
    finds nothing due and does nothing; if this worker dies mid-request,
    the lease runs out and the sweeper offers the attempt again.
    """
    now = timezone.now()
    delivery = Delivery.objects.select_related("integration").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "gone"
    bind_log_context(organization_id=delivery.organization_id)
    integration = delivery.integration
    lease = timedelta(seconds=integration.timeout_seconds + CLAIM_LEASE_MARGIN_SECONDS)
    claimed = Delivery.objects.filter(
        pk=delivery.pk,
        status=DeliveryStatus.PENDING,
        attempts_count=delivery.attempts_count,
        next_attempt_at__lte=now + timedelta(seconds=1),
    ).update(attempts_count=F("attempts_count") + 1, next_attempt_at=now + lease, updated_at=now)
    if not claimed:
        return "not_due"
    # attempts_count counts this round (delivery_redeliver starts a new one);
    # attempt rows keep numbering across rounds so the history stays.
    round_attempt = delivery.attempts_count + 1
    last_number = (
        DeliveryAttempt.objects.filter(delivery=delivery)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    number = (last_number or 0) + 1
    if not integration.is_active:
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, error="Integration is inactive."
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error="Integration is inactive.", updated_at=now
        )
        _count_attempt(delivery, "failed", "failed_inactive")
        return "failed"

    body = delivery_body(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Atende-Webhooks/1.0",
        "X-Atende-Event": delivery.event,
        "X-Atende-Delivery": str(delivery.pk),
        "X-Atende-Timestamp": timestamp,
        "X-Atende-Signature": signature_for(integration.secret, timestamp, body),
    }
    status_code = None
    error = ""
    excerpt = ""
    retry_after = None
    started = time.monotonic()
    try:
        response = http_session().post(
            integration.url,
            data=body,
            headers=headers,
            timeout=integration.timeout_seconds,
            allow_redirects=False,
        )
        status_code = response.status_code
        excerpt = response.text[:RESPONSE_EXCERPT_CHARS]
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    latency_ms = int((time.monotonic() - started) * 1000)
    metrics.DELIVERY_ATTEMPT_SECONDS.labels(delivery.event).observe(latency_ms / 1000)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=status_code,
        latency_ms=latency_ms,
        error=error,
        response_excerpt=excerpt,
    )
    done_at = timezone.now()
    if not error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED,
            last_status_code=status_code,
            last_error="",
            delivered_at=done_at,
            next_attempt_at=None,
            updated_at=done_at,
        )
        _count_attempt(delivery, "succeeded", "succeeded")
        _observe_delivered(delivery, done_at)
        return "succeeded"

    backoff = retry_backoff_seconds()
    permanent = status_code in PERMANENT_STATUS_CODES
    if permanent or round_attempt > len(backoff):
        if permanent:
            error = f"HTTP {status_code}: permanent answer, not retried"
            if excerpt:
                error += f" ({excerpt[:200]})"
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            last_status_code=status_code,
            last_error=error,
            next_attempt_at=None,
            updated_at=done_at,
        )
        logger.warning("delivery %s failed after %s attempts: %s", delivery.pk, number, error)
        _count_attempt(delivery, "failed", "failed_permanent" if permanent else "failed_exhausted")
        return "failed"
    delay = backoff[round_attempt - 1]
    if retry_after is not None:
        delay = retry_after
    Delivery.objects.filter(pk=delivery.pk).update(
        last_status_code=status_code,
        last_error=error,
        next_attempt_at=done_at + timedelta(seconds=delay),
        updated_at=done_at,
    )
    _enqueue_send(delivery.pk, countdown=delay)
    _count_attempt(delivery, "retry", None)
    return "retry"


def _count_attempt(delivery: Delivery, outcome: str, finished: str | None) -> None:
    metrics.DELIVERY_ATTEMPTS.labels(delivery.event, outcome).inc()
    if finished:
        metrics.DELIVERIES_FINISHED.labels(delivery.event, finished).inc()


def _observe_delivered(delivery: Delivery, done_at) -> None:
    metrics.DELIVERY_SECONDS.labels(delivery.event).observe(
        (done_at - delivery.created_at).total_seconds()
    )
    if delivery.event == Event.TURN_READY and delivery.turn_id:
        # The turn's last customer message → the AI platform has the turn
        # (read through the relation: integrations does not import messaging).
        metrics.TURN_LATENCY_SECONDS.observe(
            (done_at - delivery.turn.last_message_at).total_seconds()
        )


def deliveries_requeue_lost(*, older_than_seconds: int = 10, limit: int = 500) -> int:
    """Offer again PENDING deliveries whose task was lost (broker flushed, worker killed).

    Soon (10 s overdue): a turn's delivery is what the AI is waiting for. A
    task merely late in a long queue is offered twice; the attempt's claim
    (a conditional UPDATE) makes the second one a no-op."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        _enqueue_send(delivery_id)
    return len(ids)
