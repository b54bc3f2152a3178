"""Processed inbox rows are kept ``WEBHOOK_INBOX_RETENTION_DAYS`` (a
byte-identical retry is a duplicate for as long), then deleted."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from messaging.models import WebhookInbox


def inbox_delete_processed(batch: int = 5000) -> int:
    """Delete processed rows older than the retention, ``batch`` at a time
    (short statements, no long lock). Returns how many."""
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
