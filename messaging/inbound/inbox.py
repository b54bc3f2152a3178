"""The webhook inbox: answer the gateway at once, ingest in a worker.

The webhook view does only what decides its HTTP answer (size, instance and
credentials, JSON, the adapter's parse), then stores the body here with one
INSERT and wakes a drain. The row, not the broker message, is the durable
copy of the webhook:

- ``(instance, body_sha256)`` is unique: a gateway retrying the same bytes
  inserts nothing (the view answers ``duplicate``) while the row is kept
  (``WEBHOOK_INBOX_RETENTION_DAYS``);
- ``received_at`` is the arrival time every later step measures on: a
  turn's window is counted on it, however late a worker ingests the row;
- each instance's inbox is split into ``WEBHOOK_INBOX_PARTITIONS`` by chat
  (``inbox_partition``: the customer's phone or JID, read at the door). One
  drain per partition runs at a time (a PostgreSQL advisory lock), claiming
  its rows in arrival order, so a customer's messages are ingested in the
  order they arrived while other chats drain in parallel on other workers;
- the wake-up is one Redis ``SET NX`` per webhook, not one Celery task: only
  the webhook that finds no drain of its partition pending queues
  ``inbox_drain`` (a Celery publish costs a web process about ten times the
  SET). The drain clears the flag before its first claim, so a row
  committed earlier is claimed by this drain and one committed later sets
  the flag and queues the next (``inbox_drain_partition`` has the details);
- a drain claims a batch (a committed UPDATE counting ``attempts``) and
  ingests it: the plain texts of known customers together
  (``messaging.inbound.ingest_batch``), every other row in its own transaction,
  which also sets ``processed_at`` (conditionally: a second run rolls
  back). Then it queues the close of the partition's turns that were
  waiting for those webhooks (``turns_close_caught_up``);
- under its partition's lock a drain also takes rows another drain had
  claimed and not finished: that drain died (its lock went with its
  connection). The beat sweeper wakes, every few seconds, the drains of
  partitions with rows pending too long (a lost task, a killed worker, a
  flushed Redis, a failed wake-up), so a dead drain's rows are ingested
  again within seconds;
- a body the parser refuses at processing time (it parsed in the view, so
  only after a parser change) is marked processed with ``last_error`` and
  never retried; any other failure releases the row with ``last_error``, to
  be tried again ``attempts × WEBHOOK_INBOX_RETRY_SECONDS`` after arrival,
  up to ``WEBHOOK_INBOX_MAX_ATTEMPTS`` runs, then it stays for inspection.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import zlib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import metrics
from core.db import is_postgresql
from messaging.inbound.drain import (
    INVALID,
    PROCESSED,
    SKIPPED,
    DrainRun,
    claimable,
    drain_lock,
    inbox_drain_rows,
    inbox_process_row,
    instance_to_drain,
    retry_due,
    zero_counts,
)
from messaging.inbound.flags import flags_client as _redis
from messaging.models import WebhookInbox

logger = logging.getLogger(__name__)


def inbox_partition(events) -> int:
    """The partition of a webhook: its chat's. The first event naming a
    remote party decides (a webhook is one chat's in practice), an edit or
    deletion included, so it is ingested behind the message it targets;
    events that name none (connection, QR code, receipts) go to partition 0.

    A phone is keyed on its last eight digits, so the two forms of a
    Brazilian mobile (with and without the ninth digit) share a partition."""
    for event in events:
        key = getattr(event, "phone", None) or getattr(event, "chat_id", "") or ""
        if key:
            if key.isdigit():
                key = key[-8:]
            return zlib.crc32(key.encode()) % settings.WEBHOOK_INBOX_PARTITIONS
    return 0


_INSERT = (
    f"INSERT INTO {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "(instance_id, partition, body, body_sha256, received_at, attempts, last_error, result) "
    "VALUES (%s, %s, %s::jsonb, %s, %s, 0, '', '{}'::jsonb) "
    "ON CONFLICT (instance_id, body_sha256) DO NOTHING RETURNING id"
)


def inbox_store(
    *, instance_id, raw_body: bytes, body_text: str, partition: int = 0, received_at=None
) -> int | None:
    """Store one webhook body; its id, or None when the same bytes are already stored.

    ``body_text`` is the body as JSON text (the raw body decoded): PostgreSQL
    parses it into jsonb, so Python never serializes it again. Runs in
    autocommit (the view has no transaction): the row is committed before
    the task that reads it is queued. ``received_at``: the webhook's
    arrival (``messaging.inbound.door``), now by default.
    """
    received_at = received_at or timezone.now()
    digest = hashlib.sha256(raw_body).hexdigest()
    if not is_postgresql():
        # SQLite: the same rule through the ORM, a savepoint and the unique
        # constraint's IntegrityError. On PostgreSQL the webhook's answer waits
        # on this: one statement, no savepoint, the duplicate a plain no-op
        # (ON CONFLICT DO NOTHING), the body parsed into jsonb by the server
        # (test_webhook_ingest pins the view at two queries).
        try:
            with transaction.atomic():
                return WebhookInbox.objects.create(
                    instance_id=instance_id,
                    partition=partition,
                    body=json.loads(body_text),
                    body_sha256=digest,
                    received_at=received_at,
                ).pk
        except IntegrityError:
            return None
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [instance_id, partition, body_text, digest, received_at])
        row = cursor.fetchone()
    return row[0] if row else None


# Per partition, set while a drain is queued and has not started: the
# webhooks meanwhile need no task of their own. Expires in case that drain
# is lost (the sweeper covers the rows meanwhile).
WAKE_KEY = "atende:inbox:drain-pending:{instance_id}:{partition}"

WAKE_TTL_SECONDS = 30


def _wake_key(instance_id, partition: int) -> str:
    return WAKE_KEY.format(instance_id=instance_id, partition=partition)


def _wake_flag_set(instance_id, partition: int) -> bool:
    """True when this call set the flag (no drain was pending)."""
    return bool(_redis().set(_wake_key(instance_id, partition), 1, nx=True, ex=WAKE_TTL_SECONDS))


def _wake_flag_is_set(instance_id, partition: int) -> bool:
    return bool(_redis().exists(_wake_key(instance_id, partition)))


def inbox_wake_reset(instance_id, partition: int = 0) -> None:
    """A drain is starting: the next webhook must queue another one."""
    _redis().delete(_wake_key(instance_id, partition))


def inbox_wake(instance_id, partition: int = 0) -> bool:
    """Make sure a drain of this partition runs after this (committed) row.
    A broker or Redis failure is logged, not raised: the row is stored and
    the sweeper queues it."""
    try:
        if _wake_flag_set(instance_id, partition):
            # No publish retries: the gateway is waiting, and the sweeper retries.
            inbox_drain.apply_async((str(instance_id), partition), retry=False)
    except Exception:
        logger.exception("could not wake the webhook inbox drain; the sweeper will")
        return False
    return True


def inbox_drain_partition(
    instance_id, partition: int, *, budget_seconds: float | None = None
) -> dict:
    """One drain of one partition, as the task runs it.

    The wake flag is cleared under the lock, before the first claim, so a
    row committed before the clear is claimed here, and one committed after
    it sets the flag and queues the next drain. That drain may find this one
    still holding the lock and leave; so after releasing it this one looks at
    the flag once more and drains again if it is set.
    """
    budget = settings.WEBHOOK_INBOX_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    total = {**zero_counts(), "busy": False}
    instance = instance_to_drain(instance_id)
    if instance is None:  # deleted meanwhile (its rows cascade away too)
        return total
    while True:
        with drain_lock(instance_id, partition) as held:
            if not held:
                total["busy"] = True  # the holder looks at the flag when it lets go
                return total
            inbox_wake_reset(instance_id, partition)
            run = DrainRun(instance, partition, zero_counts(), set())
            counts = inbox_drain_rows(run, budget_seconds=max(0.0, deadline - time.monotonic()))
        for key in (PROCESSED, SKIPPED, INVALID, "failed"):
            total[key] += counts[key]
        woken = _wake_flag_is_set(instance_id, partition)
        if counts["more"] or (woken and time.monotonic() >= deadline):
            # Out of time with rows left: a fresh task goes on (the flag may
            # be set already, so queue it directly).
            total["more"] = True
            inbox_drain.apply_async((str(instance_id), partition))
            return total
        if not woken:
            return total


def inbox_drain_instance(instance_id, *, budget_seconds: float | None = None) -> dict:
    """Every partition of the instance with rows pending, one after another
    (an operator's or a test's whole drain; the webhooks wake partitions)."""
    total = {**zero_counts(), "busy": False}
    for partition in _pending_partitions(instance_id):
        counts = inbox_drain_partition(instance_id, partition, budget_seconds=budget_seconds)
        for key in (PROCESSED, SKIPPED, INVALID, "failed"):
            total[key] += counts[key]
        total["more"] = total["more"] or counts["more"]
        total["busy"] = total["busy"] or counts["busy"]
    return total


def _pending_partitions(instance_id) -> list[int]:
    return sorted(
        WebhookInbox.objects.filter(instance_id=instance_id, processed_at__isnull=True)
        .values_list("partition", flat=True)
        .distinct()
    )


# Pending this long while still retryable: ingest has stalled (the drain is
# woken at once and the sweeper runs every 5 s), not merely busy.
INGEST_STALLED_AFTER = timedelta(minutes=10)


def inbox_health() -> dict:
    """The webhook backlog for /api/health: unhealthy only when ingest has
    stalled. A burst's backlog is reported, not failed; rows out of attempts
    are counted (``stuck``) for an operator to look at."""
    now = timezone.now()
    pending = WebhookInbox.objects.filter(processed_at__isnull=True)
    retryable = pending.filter(attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS)
    oldest = retryable.order_by("received_at").values_list("received_at", flat=True).first()
    age = (now - oldest).total_seconds() if oldest else 0.0
    return {
        "ok": age <= INGEST_STALLED_AFTER.total_seconds(),
        "pending": retryable.count(),
        "oldestPendingSeconds": round(age, 1),
        "stuck": pending.filter(attempts__gte=settings.WEBHOOK_INBOX_MAX_ATTEMPTS).count(),
    }


def inbox_retry(rows) -> int:
    """Give unprocessed rows a fresh start (an operator fixed what made them
    fail): attempts and error cleared, their partitions' drains woken, which
    take them first (they are the oldest). Rows a live run has claimed are
    left to it. Returns how many rows were reset."""
    now = timezone.now()
    pending = rows.filter(processed_at__isnull=True).filter(claimable(now))
    partitions = set(pending.values_list("instance_id", "partition"))
    count = pending.update(attempts=0, claimed_at=None, last_error="")
    for instance_id, partition in partitions:
        transaction.on_commit(lambda i=instance_id, p=partition: inbox_wake(i, p))
    return count


@shared_task(
    name="messaging.inbox.inbox_process", ignore_result=True, time_limit=60, soft_time_limit=50
)
def inbox_process(inbox_id: int) -> str:
    """One row (queued by an earlier release's sweeper; today's wakes drains)."""
    try:
        outcome = inbox_process_row(inbox_id)
    except Exception:
        metrics.INBOX_ROWS.labels("failed").inc()
        raise
    metrics.INBOX_ROWS.labels(outcome).inc()
    return outcome


@shared_task(
    name="messaging.inbox.inbox_drain", ignore_result=True, time_limit=60, soft_time_limit=50
)
def inbox_drain(instance_id: str, partition: int | None = None) -> dict:
    """The webhooks' wake-up: ingest the partition's rows, in arrival order.
    Without a partition (queued by an earlier release), every partition."""
    if partition is None:
        counts = inbox_drain_instance(instance_id)
    else:
        counts = inbox_drain_partition(instance_id, partition)
    for outcome in (PROCESSED, SKIPPED, INVALID, "failed"):
        metrics.INBOX_ROWS.labels(outcome).inc(counts[outcome])
    return counts


@shared_task(
    name="messaging.inbox.inbox_requeue_lost", ignore_result=True, time_limit=60, soft_time_limit=50
)
def inbox_requeue_lost(limit: int = 1000) -> int:
    """Beat: wake the drains of partitions with rows pending too long (a lost
    task, a dead worker, a failed wake-up) or due for a retry. Returns how
    many drains it queued.

    A partition merely busy gets a drain that finds the lock held and leaves
    at once; one whose drain died gets one that takes its rows over.
    """
    now = timezone.now()
    pending = WebhookInbox.objects.filter(
        processed_at__isnull=True,
        received_at__lt=now - timedelta(seconds=settings.WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS),
        attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
    )
    # Fresh rows (or a dead drain's): one pair per partition, from the index.
    partitions = set(
        pending.filter(last_error="")
        .values_list("instance_id", "partition")
        .distinct()
        .order_by()[:limit]
    )
    # Rows that failed: few; each waits for its spaced retry.
    failed = pending.exclude(last_error="").values_list(
        "instance_id", "partition", "received_at", "attempts"
    )[:limit]
    for instance_id, partition, received_at, attempts in failed:
        if retry_due(received_at, attempts, now):
            partitions.add((instance_id, partition))
    for instance_id, partition in partitions:
        inbox_drain.apply_async((str(instance_id), partition))
    if partitions:
        logger.info("woke %s webhook inbox drains with rows pending", len(partitions))
    return len(partitions)


@shared_task(
    name="messaging.inbox.inbox_cleanup", ignore_result=True, time_limit=600, soft_time_limit=570
)
def inbox_cleanup(batch: int = 5000) -> int:
    """Beat (daily): delete processed rows older than the retention."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_INBOX_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            WebhookInbox.objects.filter(processed_at__lt=cutoff).values_list("id", flat=True)[
                :batch
            ]
        )
        if not ids:
            return deleted
        deleted += WebhookInbox.objects.filter(pk__in=ids).delete()[0]
