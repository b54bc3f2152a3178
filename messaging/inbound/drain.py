"""A drain of one partition: claim its rows in arrival order, ingest them,
mark them processed or release them for a spaced retry.

A drain claims a batch (a committed UPDATE counting ``attempts``,
``messaging.inbound.claim``) and ingests it: the plain texts of known
customers together (``messaging.inbound.ingest_batch``), every other row in
its own transaction, which also sets ``processed_at`` (conditionally: a
second run rolls back). After each batch it tells what follows
(``messaging.pipeline.on_partition_ingested``: the turns that were waiting
for those webhooks close). A body the parser refuses at processing time (it
parsed in the view, so only after a parser change) is marked processed with
``last_error`` and never retried; any other failure releases the row with
``last_error``, to be tried again ``attempts × WEBHOOK_INBOX_RETRY_SECONDS``
after arrival, up to ``WEBHOOK_INBOX_MAX_ATTEMPTS`` runs, then it stays for
inspection.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.logging import bind_log_context, unbind_log_context
from messaging import pipeline
from messaging.inbound.claim import claim_batch, claim_one, drain_lock
from messaging.inbound.ingest import webhook_events_ingest
from messaging.inbound.ingest_batch import ClaimedRow, inbox_rows_ingest_together
from messaging.inbound.wake import inbox_wake_reset, wake_flag_is_set
from messaging.models import WebhookInbox
from providers.base import WebhookPayloadError
from providers.models import Instance
from providers.registry import get_adapter

logger = logging.getLogger(__name__)


PROCESSED = "processed"
SKIPPED = "skipped"  # done already, claimed by a live run, gone, or out of attempts
INVALID = "invalid"


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
        claimed = claim_one(inbox_id, timezone.now())
        if claimed is None:
            return SKIPPED
        run = DrainRun(instance, partition, zero_counts(), set())
        _process_one(run, claimed)
        if run.counts["failed"]:
            raise RuntimeError(f"webhook inbox row {inbox_id} failed; see its last_error")
        pipeline.on_partition_ingested(instance_id, partition)
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
        rows = claim_batch(instance_id, run.partition, batch, timezone.now(), skip=run.failed)
        if rows:
            _process_batch(run, rows)
        pipeline.on_partition_ingested(instance_id, run.partition)
        if len(rows) < batch:
            return run.counts
        if time.monotonic() >= deadline:
            run.counts["more"] = True
            return run.counts


COUNTED = (PROCESSED, SKIPPED, INVALID, "failed")


def inbox_drain_partition(
    instance_id, partition: int, *, budget_seconds: float | None = None
) -> dict:
    """One drain of one partition, as the task runs it. ``more`` in the
    counts: rows are left (out of time), the caller queues the next drain.

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
        for key in COUNTED:
            total[key] += counts[key]
        woken = wake_flag_is_set(instance_id, partition)
        if counts["more"] or (woken and time.monotonic() >= deadline):
            # Out of time with rows left: a fresh task goes on (the flag may
            # be set already, so the caller queues it directly).
            total["more"] = True
            return total
        if not woken:
            return total


def inbox_drain_instance(instance_id, *, budget_seconds: float | None = None) -> dict:
    """Every partition of the instance with rows pending, one after another
    (an operator's or a test's whole drain; the webhooks wake partitions)."""
    total = {**zero_counts(), "busy": False}
    for partition in _pending_partitions(instance_id):
        counts = inbox_drain_partition(instance_id, partition, budget_seconds=budget_seconds)
        for key in COUNTED:
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
