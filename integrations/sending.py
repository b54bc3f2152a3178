"""Attempts of deliveries: claimed, signed, sent, recorded.

Each try is claimed with a conditional UPDATE, so two workers never send
the same attempt, and every try leaves a DeliveryAttempt. A batch (the
deliveries of the turns one worker just closed) is claimed, recorded and
finished with a few statements, its requests sent at once by a pool of
threads over pooled keep-alive connections. A session's ``turn.ready``
goes only once the session's earlier turn has succeeded or failed. A
transient failure schedules the next try (``delivery_send``, the task that
lives here because the attempt queues it again); a permanent one, or the
last try, fails the delivery.
"""

import hashlib
import hmac
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime

import requests
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core import metrics
from core.backoff import backoff_seconds
from core.http import http_session
from core.logging import bind_log_context
from integrations.claiming import claim_due, unclaimed_outcomes
from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus, Event

logger = logging.getLogger(__name__)

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
    """Claim and make one attempt of one delivery. Returns what happened
    (for logs and tests): ``deliveries_attempt`` for one."""
    return deliveries_attempt([delivery_id])[str(delivery_id)]


def deliveries_attempt(delivery_ids) -> dict[str, str]:
    """Claim the due attempts of these deliveries and make them at once.

    Returns {delivery id: what happened}: ``succeeded``, ``retry``,
    ``failed``, ``gone`` (not pending any more), ``not_due`` (claimed by
    another worker, or its next attempt is later) or ``waiting`` (a
    ``turn.ready`` behind an earlier turn of its session that is still
    pending: sent once that one has succeeded or failed).

    The claim moves ``next_attempt_at`` past the request's deadline, so a
    duplicate task (the sweeper re-queued it, the broker redelivered it)
    finds nothing due and does nothing; if this worker dies mid-request,
    the lease runs out and the sweeper offers the attempt again. The
    requests go out together, each signed, over the process's pooled
    keep-alive connections; the attempts are recorded together.
    """
    ids = list(dict.fromkeys(str(i) for i in delivery_ids))
    now = timezone.now()
    claimed = claim_due(ids, now)
    outcomes = {} if len(claimed) == len(ids) else unclaimed_outcomes(ids, claimed, now)
    if not claimed:
        return outcomes
    bind_log_context(organization_id=claimed[0].organization_id)
    numbers = dict(
        DeliveryAttempt.objects.filter(delivery_id__in=[d.pk for d in claimed])
        .values("delivery_id")
        .annotate(last=Max("number"))
        .values_list("delivery_id", "last")
    )
    tries = []
    for delivery in claimed:
        # attempts_count counts this round (delivery_redeliver starts a new
        # one); attempt rows keep numbering across rounds so the history stays.
        number = (numbers.get(delivery.pk) or 0) + 1
        if not delivery.integration.is_active:
            outcomes[str(delivery.pk)] = _fail_inactive(delivery, number, now)
            continue
        tries.append(_Try(delivery, number))
    _send_all(tries)
    outcomes.update(_record(tries))
    _release_next_turns([d for d in claimed if outcomes[str(d.pk)] != "retry"])
    return outcomes


@dataclass
class _Try:
    """One attempt: what goes out and what came back."""

    delivery: Delivery
    number: int
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    retry_after: int | None = None
    latency_ms: int = 0

    @property
    def round_attempt(self) -> int:
        return self.delivery.attempts_count  # counted by the claim


def _fail_inactive(delivery: Delivery, number: int, now) -> str:
    DeliveryAttempt.objects.create(
        delivery=delivery, number=number, error="Integration is inactive."
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, last_error="Integration is inactive.", updated_at=now
    )
    _count_attempt(delivery, "failed", "failed_inactive")
    return "failed"


# Requests one worker process has in flight at most: the threads that send a
# batch of deliveries, each with its own pooled keep-alive session
# (core.http), so the connections to each integration stay open between
# batches.
SEND_THREADS = 8
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _send_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a forked worker makes its own
        _pool = (os.getpid(), ThreadPoolExecutor(SEND_THREADS, thread_name_prefix="deliveries"))
    return _pool[1]


def _send_all(tries: list[_Try]) -> None:
    if len(tries) == 1:
        _send(tries[0])
        return
    # Only HTTP in the threads: every database write stays in this thread.
    list(_send_pool().map(_send, tries))


def _send(attempt: _Try) -> None:
    delivery = attempt.delivery
    integration = delivery.integration
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
    started = time.monotonic()
    try:
        response = http_session().post(
            integration.url,
            data=body,
            headers=headers,
            timeout=integration.timeout_seconds,
            allow_redirects=False,
        )
        attempt.status_code = response.status_code
        attempt.excerpt = response.text[:RESPONSE_EXCERPT_CHARS]
        if not 200 <= response.status_code < 300:
            attempt.error = f"HTTP {response.status_code}"
            attempt.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    except requests.RequestException as exc:
        attempt.error = f"{type(exc).__name__}: {exc}"[:1000]
    except Exception as exc:  # noqa: BLE001 - recorded like any failed try, then retried
        logger.exception("delivery %s: sending failed", delivery.pk)
        attempt.error = f"{type(exc).__name__}: {exc}"[:1000]
    attempt.latency_ms = int((time.monotonic() - started) * 1000)


def _record(tries: list[_Try]) -> dict[str, str]:
    if not tries:
        return {}
    DeliveryAttempt.objects.bulk_create(
        [
            DeliveryAttempt(
                delivery=t.delivery,
                number=t.number,
                status_code=t.status_code,
                latency_ms=t.latency_ms,
                error=t.error,
                response_excerpt=t.excerpt,
            )
            for t in tries
        ]
    )
    done_at = timezone.now()
    outcomes = {}
    succeeded: dict[int | None, list[Delivery]] = {}
    for attempt in tries:
        delivery = attempt.delivery
        metrics.DELIVERY_ATTEMPT_SECONDS.labels(delivery.event).observe(attempt.latency_ms / 1000)
        if not attempt.error:
            succeeded.setdefault(attempt.status_code, []).append(delivery)
            outcomes[str(delivery.pk)] = "succeeded"
        else:
            outcomes[str(delivery.pk)] = _after_error(attempt, done_at)
    for status_code, deliveries in succeeded.items():
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            status=DeliveryStatus.SUCCEEDED,
            last_status_code=status_code,
            last_error="",
            delivered_at=done_at,
            next_attempt_at=None,
            updated_at=done_at,
        )
        for delivery in deliveries:
            _count_attempt(delivery, "succeeded", "succeeded")
            _observe_delivered(delivery, done_at)
    return outcomes


def _after_error(attempt: _Try, done_at) -> str:
    delivery, status_code, error = attempt.delivery, attempt.status_code, attempt.error
    permanent = status_code in PERMANENT_STATUS_CODES
    if permanent or attempt.round_attempt > len(settings.INTEGRATION_RETRY_BACKOFF_SECONDS):
        if permanent:
            error = f"HTTP {status_code}: permanent answer, not retried"
            if attempt.excerpt:
                error += f" ({attempt.excerpt[:200]})"
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            last_status_code=status_code,
            last_error=error,
            next_attempt_at=None,
            updated_at=done_at,
        )
        logger.warning(
            "delivery %s failed after %s attempts: %s", delivery.pk, attempt.number, error
        )
        _count_attempt(delivery, "failed", "failed_permanent" if permanent else "failed_exhausted")
        return "failed"
    delay = retry_delay_seconds(attempt.round_attempt, attempt.retry_after)
    Delivery.objects.filter(pk=delivery.pk).update(
        last_status_code=status_code,
        last_error=error,
        next_attempt_at=done_at + timedelta(seconds=delay),
        updated_at=done_at,
    )
    delivery_send_queue(delivery.pk, countdown=delay)
    _count_attempt(delivery, "retry", None)
    return "retry"


def _release_next_turns(finished: list[Delivery]) -> None:
    """Queue the next ``turn.ready`` of each session whose turn just
    succeeded or failed (it waited, ``waits_for_an_earlier_turn``)."""
    sessions = {
        (d.integration_id, d.turn.session_id)
        for d in finished
        if d.event == Event.TURN_READY and d.turn_id is not None
    }
    if not sessions:
        return
    waiting = (
        Delivery.objects.filter(
            event=Event.TURN_READY,
            status=DeliveryStatus.PENDING,
            integration_id__in={i for i, _ in sessions},
            turn__session_id__in={s for _, s in sessions},
        )
        .order_by("turn__last_seq")
        .values_list("pk", "integration_id", "turn__session_id")
    )
    queued = set()
    for pk, integration_id, session_id in waiting:
        key = (integration_id, session_id)
        if key in sessions and key not in queued:
            queued.add(key)
            delivery_send_queue(pk)


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
