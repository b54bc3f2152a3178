"""Claiming a partition's rows for a drain: oldest first, each once.

On PostgreSQL a drain holds its partition's advisory lock (``drain_lock``:
one drain per partition is what keeps a customer's messages in the order
they arrived) and claims a batch with one statement, taking over rows a
dead drain had claimed (its lock went with its connection). On SQLite
(the embedded setup, no advisory locks) each claim is a lease.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F, Q

from core.db import is_postgresql
from core.locks import advisory_lock_try
from messaging.inbound.ingest_batch import ClaimedRow
from messaging.models import WebhookInbox


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


def claim_batch(instance_id, partition: int, limit: int, now, *, skip: set) -> list[ClaimedRow]:
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
        row = claim_one(inbox_id, now)
        if row is not None:
            claimed.append(row)
        if len(claimed) >= limit:
            break
    return claimed


def retry_due(received_at, attempts: int, now) -> bool:
    return received_at < now - attempts * timedelta(seconds=settings.WEBHOOK_INBOX_RETRY_SECONDS)


def claim_one(inbox_id: int, now) -> ClaimedRow | None:
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


# Advisory lock class of the drains, keyed "<instance id>:<partition>".
_DRAIN_LOCK_CLASS = 7301


def drain_lock(instance_id, partition: int):
    """Hold the partition's drain lock (one drain per partition); yields
    whether it was free."""
    return advisory_lock_try(_DRAIN_LOCK_CLASS, f"{instance_id}:{partition}")
