"""The webhook inbox: answer the gateway at once, ingest in a worker.

The webhook view does only what decides its HTTP answer (size, instance and
credentials, JSON, the adapter's parse), then stores the body here with one
INSERT and wakes the drain. The row, not the broker message, is the durable
copy of the webhook:

- ``(instance, body_sha256)`` is unique: a gateway retrying the same bytes
  inserts nothing (the view answers ``duplicate``) while the row is kept
  (``WEBHOOK_INBOX_RETENTION_DAYS``);
- the wake-up is one Redis ``SET NX`` per webhook, not one Celery task:
  only the webhook that finds no drain of its instance pending queues
  ``inbox_drain`` (a Celery publish costs a web process about ten times the
  SET). One drain per instance runs at a time (a PostgreSQL advisory lock),
  claiming the instance's fresh rows in arrival order, so a customer's
  messages are ingested in the order the gateway sent them; instances drain
  in parallel. The drain clears the flag before its first claim, so a row
  committed earlier is claimed by this drain and one committed later sets
  the flag and queues the next (``inbox_drain_instance`` has the details);
- a claim is a committed conditional UPDATE (``claimed_at``, counts
  ``attempts``), so concurrent runs of one row (a drain and the sweeper's
  retry) do the work once; then one
  transaction per row ingests every event and sets ``processed_at``
  (conditionally: a second run past an expired claim rolls back). A crash
  anywhere rolls that row back and leaves it unprocessed;
- the beat sweeper queues ``inbox_process`` for rows still unprocessed after
  ``WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS`` (drain lost with a flushed Redis,
  a killed worker, a wake-up that failed in the view, a failed run). A claim
  older than ``WEBHOOK_INBOX_CLAIM_SECONDS`` (longer than the tasks' hard
  time limit) belongs to a run that died and is taken over;
- a body the parser refuses at processing time (it parsed in the view, so
  only after a parser change) is marked processed with ``last_error`` and
  never retried; any other failure releases the claim for the sweeper, up to
  ``WEBHOOK_INBOX_MAX_ATTEMPTS`` runs, then the row stays for inspection.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import metrics
from messaging.ingest import webhook_events_ingest
from messaging.models import WebhookInbox
from providers.base import WebhookPayloadError
from providers.models import Instance
from providers.registry import get_adapter

logger = logging.getLogger(__name__)

PROCESSED = "processed"
SKIPPED = "skipped"  # done already, claimed by a live run, gone, or out of attempts
INVALID = "invalid"

_INSERT = (
    f"INSERT INTO {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "(instance_id, body, body_sha256, received_at, attempts, last_error, result) "
    "VALUES (%s, %s::jsonb, %s, %s, 0, '', '{}'::jsonb) "
    "ON CONFLICT (instance_id, body_sha256) DO NOTHING RETURNING id"
)


def inbox_store(*, instance_id, raw_body: bytes, body_text: str) -> int | None:
    """Store one webhook body; its id, or None when the same bytes are already stored.

    ``body_text`` is the body as JSON text (the raw body decoded): PostgreSQL
    parses it into jsonb, so Python never serializes it again. Runs in
    autocommit (the view has no transaction): the row is committed before
    the task that reads it is queued.
    """
    digest = hashlib.sha256(raw_body).hexdigest()
    if connection.vendor != "postgresql":
        # The embedded SQLite setup: the same rule through the ORM (the
        # statement above is PostgreSQL's; speed matters only there).
        try:
            with transaction.atomic():
                return WebhookInbox.objects.create(
                    instance_id=instance_id,
                    body=json.loads(body_text),
                    body_sha256=digest,
                    received_at=timezone.now(),
                ).pk
        except IntegrityError:
            return None
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [instance_id, body_text, digest, timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


# Per instance, set while a drain is queued and has not started: the
# webhooks meanwhile need no task of their own. Expires in case that drain
# is lost (the sweeper covers the rows meanwhile).
WAKE_KEY = "atende:inbox:drain-pending:{instance_id}"
WAKE_TTL_SECONDS = 30


class _CacheFlags:
    """The embedded setup (no Redis): the same three operations on Django's cache."""

    def set(self, key, value, *, nx, ex):
        return cache.add(key, value, ex) if nx else cache.set(key, value, ex)

    def exists(self, key):
        return cache.get(key) is not None

    def delete(self, key):
        cache.delete(key)


@functools.cache
def _redis():
    """This process's client for the wake flags: Redis, or Django's cache in
    the embedded setup.

    Not Django's cache when Redis is there: its Redis backend builds a new
    client per call, which costs more than the SET itself on the webhook's
    hot path.
    """
    if not settings.REDIS_URL:
        return _CacheFlags()
    import redis

    # Short timeouts: with Redis away the webhook still answers (the row is
    # stored; the sweeper queues it), a little later rather than never.
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=1)


def _wake_key(instance_id) -> str:
    return WAKE_KEY.format(instance_id=instance_id)


def _wake_flag_set(instance_id) -> bool:
    """True when this call set the flag (no drain was pending)."""
    return bool(_redis().set(_wake_key(instance_id), 1, nx=True, ex=WAKE_TTL_SECONDS))


def _wake_flag_is_set(instance_id) -> bool:
    return bool(_redis().exists(_wake_key(instance_id)))


def inbox_wake_reset(instance_id) -> None:
    """A drain is starting: the next webhook must queue another one."""
    _redis().delete(_wake_key(instance_id))


def inbox_wake(instance_id) -> bool:
    """Make sure a drain of this instance runs after this (committed) row.
    A broker or Redis failure is logged, not raised: the row is stored and
    the sweeper queues it."""
    try:
        if _wake_flag_set(instance_id):
            # No publish retries: the gateway is waiting, and the sweeper retries.
            inbox_drain.apply_async((str(instance_id),), retry=False)
    except Exception:
        logger.exception("could not wake the webhook inbox drain; the sweeper will")
        return False
    return True


def _claim_lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_INBOX_CLAIM_SECONDS)


def _claimable(now) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _claim_lease())


_CLAIM = (
    f"UPDATE {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "SET claimed_at = %s, attempts = attempts + 1 "
    "WHERE id = %s AND processed_at IS NULL AND attempts < %s "
    "AND (claimed_at IS NULL OR claimed_at < %s) "
    "RETURNING instance_id, body::text"
)


def _claim(inbox_id: int, now) -> tuple | None:
    """(instance id, body as JSON text) of the row this run now owns, or None."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM, [now, inbox_id, settings.WEBHOOK_INBOX_MAX_ATTEMPTS, now - _claim_lease()]
            )
            return cursor.fetchone()
    claimed = (
        WebhookInbox.objects.filter(
            pk=inbox_id,
            processed_at__isnull=True,
            attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
        )
        .filter(_claimable(now))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    instance_id, body = WebhookInbox.objects.values_list("instance_id", "body").get(pk=inbox_id)
    return instance_id, json.dumps(body)


_CLAIM_BATCH = (
    f"UPDATE {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "SET claimed_at = %s, attempts = attempts + 1 "
    "WHERE id IN ("
    f"  SELECT id FROM {WebhookInbox._meta.db_table} "
    "  WHERE instance_id = %s AND processed_at IS NULL AND claimed_at IS NULL "
    "  AND attempts = 0 ORDER BY received_at, id LIMIT %s FOR UPDATE SKIP LOCKED"
    ") RETURNING id, instance_id, body::text"
)


def _claim_fresh(instance_id, limit: int, now) -> list[tuple]:
    """Claim up to ``limit`` of the instance's rows no run has touched yet,
    oldest first: [(id, instance id, body as JSON text)]. Rows that failed
    once are the sweeper's (spaced retries), not the drain's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_BATCH, [now, instance_id, limit])
            rows = cursor.fetchall()
        return sorted(rows)  # RETURNING keeps no order; ids follow arrival
    claimed = []
    ids = (
        WebhookInbox.objects.filter(
            instance_id=instance_id,
            processed_at__isnull=True,
            claimed_at__isnull=True,
            attempts=0,
        )
        .order_by("received_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for inbox_id in ids:
        row = _claim(inbox_id, now)
        if row is not None:
            claimed.append((inbox_id, *row))
    return claimed


class _AlreadyProcessed(Exception):
    """Another run committed this row first: roll this run's ingest back."""


def inbox_process_row(inbox_id: int) -> str:
    """Ingest one inbox row exactly once. Stale, concurrent and repeated runs do nothing.

    The claim (committed at once, counting the attempt) keeps a second run
    of the same row away while this one works. The ingest and
    ``processed_at`` then commit together; the final UPDATE is conditional,
    so even two runs past an expired claim commit the row once (the later
    one waits on the row lock, finds it processed and rolls back).
    """
    claimed = _claim(inbox_id, timezone.now())
    if claimed is None:
        return SKIPPED
    instance_id, body_text = claimed
    return _process_claimed(inbox_id, instance_id, body_text, instances={})


def _process_claimed(inbox_id: int, instance_id, body_text: str, *, instances: dict) -> str:
    """Ingest a row this run has claimed. ``instances``: this run's instance
    cache (a drain ingests many rows of the same few instances)."""
    try:
        with transaction.atomic():
            instance = instances.get(instance_id)
            if instance is None:
                instance = (
                    Instance.objects.select_related("organization").filter(pk=instance_id).first()
                )
                if instance is None:  # deleted meanwhile (its rows cascade away too)
                    return SKIPPED
                instances[instance_id] = instance
            events = get_adapter(instance).parse(json.loads(body_text), {})
            result = webhook_events_ingest(instance=instance, events=events)
            # Same transaction as the ingest: both commit or neither does.
            marked = WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True).update(
                processed_at=timezone.now(),
                claimed_at=None,
                last_error="",
                result=result.as_dict(),
            )
            if not marked:
                raise _AlreadyProcessed()
    except _AlreadyProcessed:
        return SKIPPED
    except WebhookPayloadError as exc:
        # Deterministic: another run would fail the same way.
        WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True).update(
            processed_at=timezone.now(), claimed_at=None, last_error=f"invalid_payload: {exc}"
        )
        logger.error("webhook inbox row %s no longer parses: %s", inbox_id, exc)
        return INVALID
    except Exception as exc:
        WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        attempts = WebhookInbox.objects.filter(pk=inbox_id).values_list("attempts", flat=True)
        if attempts and attempts[0] >= settings.WEBHOOK_INBOX_MAX_ATTEMPTS:
            logger.exception(
                "webhook inbox row %s failed %s times; giving up", inbox_id, attempts[0]
            )
        raise
    return PROCESSED


# pg_try_advisory_lock(class, hashtext(instance id)): one drain per instance.
_DRAIN_LOCK_CLASS = 7301


@contextmanager
def _drain_lock(instance_id):
    """Hold the instance's drain lock (a session advisory lock, so a killed
    worker's lock goes with its connection); yields whether it was free."""
    if connection.vendor != "postgresql":
        yield True  # the embedded SQLite setup serializes writers anyway
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", [_DRAIN_LOCK_CLASS, str(instance_id)]
        )
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, hashtext(%s))",
                    [_DRAIN_LOCK_CLASS, str(instance_id)],
                )


def inbox_drain_rows(instance_id, *, budget_seconds: float) -> dict:
    """Claim and ingest the instance's fresh rows in arrival order until none
    is left or the time budget is spent. Returns the outcome counts and
    whether rows may remain (``more``: the budget ran out after a full batch).

    The caller holds the instance's drain lock: one drain per instance is
    what keeps a customer's messages in the order the gateway sent them.
    A row that fails is released for the sweeper and the drain goes on: one
    bad row must not hold up the webhooks behind it.
    """
    batch = settings.WEBHOOK_INBOX_DRAIN_BATCH
    deadline = time.monotonic() + budget_seconds
    counts = {PROCESSED: 0, SKIPPED: 0, INVALID: 0, "failed": 0, "more": False}
    instances: dict = {}
    while True:
        rows = _claim_fresh(instance_id, batch, timezone.now())
        for inbox_id, row_instance_id, body_text in rows:
            try:
                outcome = _process_claimed(
                    inbox_id, row_instance_id, body_text, instances=instances
                )
            except Exception:
                counts["failed"] += 1
                logger.exception("webhook inbox row %s failed; the sweeper will retry", inbox_id)
            else:
                counts[outcome] += 1
        if len(rows) < batch:
            return counts
        if time.monotonic() >= deadline:
            counts["more"] = True
            return counts


def inbox_drain_instance(instance_id, *, budget_seconds: float | None = None) -> dict:
    """One drain of one instance, as the task runs it.

    The wake flag is cleared under the lock, before the first claim, so a
    row committed before the clear is claimed here, and one committed after
    it sets the flag and queues the next drain. That drain may find this one
    still holding the lock and leave; so after releasing it this one looks at
    the flag once more and drains again if it is set.
    """
    budget = settings.WEBHOOK_INBOX_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    total = {PROCESSED: 0, SKIPPED: 0, INVALID: 0, "failed": 0, "more": False, "busy": False}
    while True:
        with _drain_lock(instance_id) as held:
            if not held:
                total["busy"] = True  # the holder looks at the flag when it lets go
                return total
            inbox_wake_reset(instance_id)
            counts = inbox_drain_rows(
                instance_id, budget_seconds=max(0.0, deadline - time.monotonic())
            )
        for key in (PROCESSED, SKIPPED, INVALID, "failed"):
            total[key] += counts[key]
        woken = _wake_flag_is_set(instance_id)
        if counts["more"] or (woken and time.monotonic() >= deadline):
            # Out of time with rows left: a fresh task goes on (the flag may
            # be set already, so queue it directly).
            total["more"] = True
            inbox_drain.apply_async((str(instance_id),))
            return total
        if not woken:
            return total


# Pending this long while still retryable: ingest has stalled (the drain is
# woken at once and the sweeper runs every 30 s), not merely busy.
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
    fail): attempts and error cleared, their instances' drains woken, which
    take them first (they are the oldest). Rows a live run has claimed are
    left to it. Returns how many rows were reset."""
    now = timezone.now()
    pending = rows.filter(processed_at__isnull=True).filter(_claimable(now))
    instance_ids = set(pending.values_list("instance_id", flat=True))
    count = pending.update(attempts=0, claimed_at=None, last_error="")
    for instance_id in instance_ids:
        transaction.on_commit(lambda instance_id=instance_id: inbox_wake(instance_id))
    return count


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def inbox_process(inbox_id: int) -> str:
    """One row (the sweeper's retries)."""
    try:
        outcome = inbox_process_row(inbox_id)
    except Exception:
        metrics.INBOX_ROWS.labels("failed").inc()
        raise
    metrics.INBOX_ROWS.labels(outcome).inc()
    return outcome


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def inbox_drain(instance_id: str) -> dict:
    """The webhooks' wake-up: ingest the instance's fresh rows, in order."""
    counts = inbox_drain_instance(instance_id)
    for outcome in (PROCESSED, SKIPPED, INVALID, "failed"):
        metrics.INBOX_ROWS.labels(outcome).inc(counts[outcome])
    return counts


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def inbox_requeue_lost(limit: int = 1000) -> int:
    """Beat: queue again rows left unprocessed (lost task, dead worker, failed enqueue).

    A row merely waiting in a long queue is queued twice; the second run
    finds it claimed or processed and does nothing.
    """
    now = timezone.now()
    stale = timedelta(seconds=settings.WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS)
    ids = list(
        WebhookInbox.objects.filter(
            _claimable(now),
            processed_at__isnull=True,
            received_at__lt=now - stale,
            attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("id", flat=True)[:limit]
    )
    for inbox_id in ids:
        inbox_process.apply_async((inbox_id,))
    if ids:
        logger.warning("queued %s unprocessed webhook inbox rows again", len(ids))
    return len(ids)


@shared_task(ignore_result=True, time_limit=600, soft_time_limit=570)
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
