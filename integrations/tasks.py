"""Celery tasks for this app: thin, idempotent, ids in and out.

``delivery_send`` lives with the attempt it makes (``integrations.sending``),
which queues it again for a retry; it is imported here for Celery's
discovery, and keeps its name.
"""

from celery import shared_task

from integrations import deliveries
from integrations.sending import delivery_send  # noqa: F401


@shared_task(
    name="integrations.tasks.deliveries_requeue_lost",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=110,
)
def deliveries_requeue_lost() -> int:
    """Beat: PENDING deliveries whose task never ran (broker flushed, worker killed)."""
    return deliveries.deliveries_requeue_lost()
