"""Processed inbox rows are kept ``WEBHOOK_INBOX_RETENTION_DAYS`` (a
byte-identical retry is a duplicate for as long), then deleted."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.bulk import delete_in_batches
from messaging.models import WebhookInbox


def inbox_delete_processed(batch: int = 5000) -> int:
    """Delete processed rows older than the retention, ``batch`` at a time
    (short statements, no long lock). Returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_INBOX_RETENTION_DAYS)
    return delete_in_batches(WebhookInbox.objects.filter(processed_at__lt=cutoff), batch=batch)
