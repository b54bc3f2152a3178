"""Whether the inbox has caught up: the question a turn asks before it closes.

A turn's window is measured on arrival times, so before it closes every
webhook of its chat that arrived by its end must be ingested. A partition's
watermark is its oldest pending arrival; rows that failed and wait for a
spaced retry hold nothing back (they would hold every turn of their chat
for minutes).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Min

from messaging.models import WebhookInbox


def _pending_in_time(instance_id, partition: int | None = None):
    """The rows that hold a turn back: pending, not waiting for a spaced
    retry; of one partition, or of every partition when None."""
    rows = WebhookInbox.objects.filter(
        instance_id=instance_id,
        processed_at__isnull=True,
        last_error="",
        attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
    )
    return rows if partition is None else rows.filter(partition=partition)


def inbox_caught_up(instance_id, partition: int | None, until) -> bool:
    """Whether every webhook of the partition that arrived by ``until`` has
    been ingested. Turns of messages that did not come through the inbox
    (``partition`` None) wait for nothing."""
    if partition is None:
        return True
    return not _pending_in_time(instance_id, partition).filter(received_at__lte=until).exists()


def inbox_watermark(instance_id, partition: int):
    """The arrival of the partition's oldest pending webhook, None when none is."""
    return (
        _pending_in_time(instance_id, partition)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )


def inbox_watermarks(instance_id) -> dict:
    """{partition: its watermark} for the instance's partitions with a
    webhook pending (one query for them all)."""
    return dict(
        _pending_in_time(instance_id)
        .values("partition")
        .annotate(oldest=Min("received_at"))
        .values_list("partition", "oldest")
    )
