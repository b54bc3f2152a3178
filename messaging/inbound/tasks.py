"""The inbox's tasks, and how a webhook queues its drain.

Task names are a contract with the broker and beat (``messaging.inbox.*``):
a module that moves keeps them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core import metrics
from messaging.inbound.claim import retry_due
from messaging.inbound.cleanup import inbox_delete_processed
from messaging.inbound.drain import COUNTED, inbox_drain_partition
from messaging.inbound.wake import wake_flag_set
from messaging.models import WebhookInbox

logger = logging.getLogger(__name__)


def inbox_wake(instance_id, partition: int = 0, *, in_flight: str | None = None) -> bool:
    """Make sure a drain of this partition runs after this (committed) row.
    A broker or Redis failure is logged, not raised: the row is stored and
    the sweeper queues it. ``in_flight``: the webhook's in-flight token, ended
    in the same Redis round trip as the flag is set (``wake_flag_set``)."""
    try:
        if wake_flag_set(instance_id, partition, in_flight=in_flight):
            # No publish retries: the gateway is waiting, and the sweeper retries.
            inbox_drain.apply_async((str(instance_id), partition), retry=False)
    except Exception:
        logger.exception("could not wake the webhook inbox drain; the sweeper will")
        return False
    return True


@shared_task(
    name="messaging.inbox.inbox_drain", ignore_result=True, time_limit=60, soft_time_limit=50
)
def inbox_drain(instance_id: str, partition: int) -> dict:
    """The webhooks' wake-up: ingest the partition's rows, in arrival order;
    out of time with rows left, a fresh task at the back of the queue goes on."""
    counts = inbox_drain_partition(instance_id, partition)
    for outcome in COUNTED:
        metrics.INBOX_ROWS.labels(outcome).inc(counts[outcome])
    if counts["more"]:
        inbox_drain.apply_async((str(instance_id), partition))
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
    return inbox_delete_processed(batch)
