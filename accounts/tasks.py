"""Celery tasks for this app: thin, idempotent."""

from celery import shared_task

from accounts.agents import agents_idle_offline


@shared_task(
    name="accounts.tasks.agents_idle_offline",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def agents_go_offline_when_idle() -> int:
    """Every minute: agents without a request for AGENT_IDLE_OFFLINE_MINUTES go offline."""
    return agents_idle_offline()
