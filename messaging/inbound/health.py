"""The webhook backlog for /api/health (``messaging.apps`` registers it)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from messaging.models import WebhookInbox

# Pending this long while still retryable: ingest has stalled (the drain is
# woken at once and the sweeper runs every 5 s), not merely busy.
INGEST_STALLED_AFTER = timedelta(minutes=10)


def inbox_health() -> dict:
    """Unhealthy only when ingest has stalled. A burst's backlog is
    reported, not failed; rows out of attempts are counted (``stuck``) for
    an operator to look at."""
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
