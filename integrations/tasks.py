"""Celery tasks for this app: thin, idempotent, ids in and out."""

from celery import shared_task

from integrations import services


@shared_task(
    name="integrations.tasks.delivery_send", ignore_result=True, time_limit=120, soft_time_limit=110
)
def delivery_send(delivery_id: str) -> str:
    """Make the due attempt of one delivery (claimed; a duplicate does nothing)."""
    return services.delivery_attempt(delivery_id=delivery_id)


@shared_task(
    name="integrations.tasks.deliveries_requeue_lost",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=110,
)
def deliveries_requeue_lost() -> int:
    """Beat: PENDING deliveries whose task never ran (broker flushed, worker killed)."""
    return services.deliveries_requeue_lost()
