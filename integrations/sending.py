"""One attempt of one delivery: claimed, signed, sent, recorded.

Each try is claimed with a conditional UPDATE, so two workers never send
the same attempt, and every try leaves a DeliveryAttempt. A transient
failure schedules the next try (``delivery_send``, the task that lives
here because the attempt queues it again); a permanent one, or the last
try, fails the delivery.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import requests
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import metrics
from core.backoff import backoff_seconds
from core.http import http_session
from core.logging import bind_log_context
from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus, Event

logger = logging.getLogger(__name__)

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


def retry_delay_seconds(attempt: int, retry_after: int | None = None) -> float:
    """Seconds before retry number ``attempt`` of a delivery's round: the
    operator's schedule (``INTEGRATION_RETRY_BACKOFF_SECONDS``) through the
    shared backoff helper. A receiver's ``Retry-After`` takes its place,
    shorter or longer (capped when read): the receiver knows when it is back.
    """
    if retry_after is not None:
        return float(retry_after)
    return backoff_seconds(attempt, schedule=settings.INTEGRATION_RETRY_BACKOFF_SECONDS)


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

    permanent = status_code in PERMANENT_STATUS_CODES
    if permanent or round_attempt > len(settings.INTEGRATION_RETRY_BACKOFF_SECONDS):
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
    delay = retry_delay_seconds(round_attempt, retry_after)
    Delivery.objects.filter(pk=delivery.pk).update(
        last_status_code=status_code,
        last_error=error,
        next_attempt_at=done_at + timedelta(seconds=delay),
        updated_at=done_at,
    )
    delivery_send_queue(delivery.pk, countdown=delay)
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


@shared_task(
    name="integrations.tasks.delivery_send", ignore_result=True, time_limit=120, soft_time_limit=110
)
def delivery_send(delivery_id: str) -> str:
    """Make the due attempt of one delivery (claimed; a duplicate does nothing)."""
    return delivery_attempt(delivery_id=delivery_id)


def delivery_send_queue(delivery_id, countdown: float = 0) -> None:
    """Queue the delivery's attempt once the current transaction commits."""

    def send() -> None:
        delivery_send.apply_async((str(delivery_id),), countdown=countdown)

    transaction.on_commit(send)
