"""A drain's work on one partition: claim its rows in arrival order, ingest
them, mark them processed or release them for a spaced retry.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.db import is_postgresql
from core.locks import advisory_lock_try
from core.logging import bind_log_context, unbind_log_context
from messaging.inbound.ingest import webhook_events_ingest
from messaging.inbound.ingest_batch import ClaimedRow, inbox_rows_ingest_together
from messaging.models import WebhookInbox
from messaging.turns.close import turns_close_caught_up
from providers.base import WebhookPayloadError
from providers.models import Instance
from providers.registry import get_adapter

logger = logging.getLogger(__name__)


PROCESSED = "processed"
SKIPPED = "skipped"  # done already, claimed by a live run, gone, or out of attempts
INVALID = "invalid"


def _claim_lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_INBOX_CLAIM_SECONDS)


def claimable(now) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _claim_lease())


# Under the partition's lock: every pending row of the partition that is
# fresh, was claimed by a drain that died, or failed and is due for its retry.
_CLAIM_BATCH = (
    f"UPDATE {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "SET claimed_at = %s, attempts = attempts + 1 "
    "WHERE id IN ("
    f"  SELECT id FROM {WebhookInbox._meta.db_table} "
    "  WHERE instance_id = %s AND partition = %s AND processed_at IS NULL AND attempts < %s "
    "  AND (last_error = '' OR received_at < %s - attempts * %s * interval '1 second') "
    "  AND NOT (id = ANY(%s)) "
    "  ORDER BY received_at, id LIMIT %s FOR UPDATE SKIP LOCKED"
    ") RETURNING id, received_at, body::text"
)


def _claim_batch(instance_id, partition: int, limit: int, now, *, skip: set) -> list[ClaimedRow]:
    """Claim up to ``limit`` of the partition's rows, oldest first (the
    caller holds the partition's lock). ``skip``: rows that failed in this
    run, left to a later one."""
    if is_postgresql():
        # PostgreSQL: one statement claims the batch under the partition's
        # advisory lock (FOR UPDATE SKIP LOCKED, interval arithmetic), and the
        # lock also lets it take rows a dead drain had claimed: the dead
        # drain's lock went with its connection.
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM_BATCH,
                [
                    now,
                    instance_id,
                    partition,
                    settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
                    now,
                    settings.WEBHOOK_INBOX_RETRY_SECONDS,
                    list(skip),
                    limit,
                ],
            )
            rows = cursor.fetchall()
        # RETURNING keeps no order: arrival order is the drain's promise.
        rows.sort(key=lambda row: (row[1], row[0]))
        return [ClaimedRow(inbox_id, received_at, body) for inbox_id, received_at, body in rows]
    # SQLite: no advisory locks, so each claim is a lease (claimed_at older
    # than WEBHOOK_INBOX_CLAIM_SECONDS is free again), row by row.
    claimed = []
    ids = (
        WebhookInbox.objects.filter(
            claimable(now),
            instance_id=instance_id,
            partition=partition,
            processed_at__isnull=True,
            attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
        )
        .exclude(pk__in=skip)
        .order_by("received_at", "id")
        .values_list("id", "received_at", "attempts", "last_error")[: limit * 2]
    )
    for inbox_id, received_at, attempts, last_error in ids:
        if last_error and not retry_due(received_at, attempts, now):
            continue
        row = _claim_one(inbox_id, now)
        if row is not None:
            claimed.append(row)
        if len(claimed) >= limit:
            break
    return claimed


def retry_due(received_at, attempts: int, now) -> bool:
    return received_at < now - attempts * timedelta(seconds=settings.WEBHOOK_INBOX_RETRY_SECONDS)


def _claim_one(inbox_id: int, now) -> ClaimedRow | None:
    """Claim one row by its lease (no partition lock held)."""
    claimed = WebhookInbox.objects.filter(
        claimable(now),
        pk=inbox_id,
        processed_at__isnull=True,
        attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    received_at, body = WebhookInbox.objects.values_list("received_at", "body").get(pk=inbox_id)
    return ClaimedRow(inbox_id, received_at, json.dumps(body))


class _AlreadyProcessed(Exception):
    """Another run committed this row first: roll this run's ingest back."""


@dataclass
class DrainRun:
    """One drain run's state: its instance, its partition, its counts."""

    instance: Instance
    partition: int
    counts: dict
    failed: set


def inbox_process_row(inbox_id: int) -> str:
    """Ingest one inbox row exactly once, as its partition's drain would.

    Its partition's lock is tried, not waited for: a drain holding it takes
    the row in its turn. Stale, concurrent and repeated runs do nothing.
    """
    row = (
        WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True)
        .values_list("instance_id", "partition")
        .first()
    )
    if row is None:
        return SKIPPED
    instance_id, partition = row
    instance = instance_to_drain(instance_id)
    if instance is None:
        return SKIPPED
    with drain_lock(instance_id, partition) as held:
        if not held:
            return SKIPPED
        claimed = _claim_one(inbox_id, timezone.now())
        if claimed is None:
            return SKIPPED
        run = DrainRun(instance, partition, zero_counts(), set())
        _process_one(run, claimed)
        if run.counts["failed"]:
            raise RuntimeError(f"webhook inbox row {inbox_id} failed; see its last_error")
        turns_close_caught_up(instance_id, partition)
    return next(k for k in (PROCESSED, INVALID, SKIPPED) if run.counts[k])


def instance_to_drain(instance_id) -> Instance | None:
    """The instance a drain works for; its log lines name the organization."""
    instance = Instance.objects.select_related("organization").filter(pk=instance_id).first()
    if instance is not None:
        bind_log_context(organization_id=instance.organization_id)
    return instance


def zero_counts() -> dict:
    return {PROCESSED: 0, SKIPPED: 0, INVALID: 0, "failed": 0, "more": False}


def _process_batch(run: DrainRun, rows: list[ClaimedRow]) -> None:
    """Ingest a claimed batch: the rows that can go together first (each
    chat's rows all go one way, so a chat's order holds), then the others
    one by one in arrival order."""
    parsed = []
    adapter = get_adapter(run.instance)
    for row in rows:
        try:
            row.events = adapter.parse(json.loads(row.body_text), {})
        except WebhookPayloadError as exc:
            _mark_invalid(run, row, exc)
            continue
        parsed.append(row)
    leftover = inbox_rows_ingest_together(
        instance=run.instance, rows=parsed, partition=run.partition
    )
    run.counts[PROCESSED] += len(parsed) - len(leftover)
    for row in leftover:
        _process_one(run, row)


def _process_one(run: DrainRun, row: ClaimedRow) -> None:
    """Ingest one claimed row in its own transaction, counting the outcome."""
    # The previous row's session and message are not this one's.
    unbind_log_context("session_id", "message_id")
    try:
        with transaction.atomic():
            events = row.events
            if events is None:
                events = get_adapter(run.instance).parse(json.loads(row.body_text), {})
            result = webhook_events_ingest(
                instance=run.instance,
                events=events,
                received_at=row.received_at,
                inbox_partition=run.partition,
            )
            # Same transaction as the ingest: both commit or neither does.
            marked = WebhookInbox.objects.filter(pk=row.inbox_id, processed_at__isnull=True).update(
                processed_at=timezone.now(),
                claimed_at=None,
                last_error="",
                result=result.as_dict(),
            )
            if not marked:
                raise _AlreadyProcessed()
    except _AlreadyProcessed:
        run.counts[SKIPPED] += 1
    except WebhookPayloadError as exc:
        _mark_invalid(run, row, exc)
    except Exception as exc:
        WebhookInbox.objects.filter(pk=row.inbox_id, processed_at__isnull=True).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        run.counts["failed"] += 1
        run.failed.add(row.inbox_id)
        attempts = WebhookInbox.objects.filter(pk=row.inbox_id).values_list("attempts", flat=True)
        if attempts and attempts[0] >= settings.WEBHOOK_INBOX_MAX_ATTEMPTS:
            logger.exception(
                "webhook inbox row %s failed %s times; giving up", row.inbox_id, attempts[0]
            )
        else:
            logger.exception("webhook inbox row %s failed; it will be retried", row.inbox_id)
    else:
        run.counts[PROCESSED] += 1


def _mark_invalid(run: DrainRun, row: ClaimedRow, exc: Exception) -> None:
    # Deterministic: another run would fail the same way.
    WebhookInbox.objects.filter(pk=row.inbox_id, processed_at__isnull=True).update(
        processed_at=timezone.now(), claimed_at=None, last_error=f"invalid_payload: {exc}"
    )
    logger.error("webhook inbox row %s no longer parses: %s", row.inbox_id, exc)
    run.counts[INVALID] += 1


# Advisory lock class of the drains, keyed "<instance id>:<partition>".
_DRAIN_LOCK_CLASS = 7301


def drain_lock(instance_id, partition: int):
    """Hold the partition's drain lock (one drain per partition); yields
    whether it was free."""
    return advisory_lock_try(_DRAIN_LOCK_CLASS, f"{instance_id}:{partition}")


def inbox_drain_rows(run: DrainRun, *, budget_seconds: float) -> dict:
    """Claim and ingest the partition's rows in arrival order until none is
    left or the time budget is spent; after each batch, queue the close of
    the turns that were waiting for it. ``more`` in the counts: the budget ran out after a
    full batch.

    The caller holds the partition's drain lock: one drain per partition is
    what keeps a customer's messages in the order they arrived. A row that
    fails is released for a spaced retry and the drain goes on: one bad row
    must not hold up the webhooks behind it.
    """
    batch = settings.WEBHOOK_INBOX_DRAIN_BATCH
    deadline = time.monotonic() + budget_seconds
    instance_id = run.instance.pk
    while True:
        rows = _claim_batch(instance_id, run.partition, batch, timezone.now(), skip=run.failed)
        if rows:
            _process_batch(run, rows)
        turns_close_caught_up(instance_id, run.partition)
        if len(rows) < batch:
            return run.counts
        if time.monotonic() >= deadline:
            run.counts["more"] = True
            return run.counts
