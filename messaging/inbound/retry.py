"""An operator's retry of inbox rows (the admin's action, docs/ADMIN.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from messaging.inbound.claim import claimable
from messaging.inbound.tasks import inbox_wake


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
