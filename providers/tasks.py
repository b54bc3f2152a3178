"""Celery tasks for instances: thin, idempotent, ids in and out."""

import logging

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from providers.models import Instance
from providers.selectors import instances_to_poll
from providers.services import instance_check_connection

logger = logging.getLogger(__name__)


@shared_task(
    name="providers.tasks.instances_poll_connection",
    ignore_result=True,
    time_limit=300,
    soft_time_limit=280,
)
def instances_poll_connection() -> int:
    """Beat: ask every active instance's gateway for its state, one task each."""
    ids = [str(pk) for pk in instances_to_poll().values_list("pk", flat=True)]
    for instance_id in ids:
        instance_poll_connection.delay(instance_id)
    return len(ids)


@shared_task(
    name="providers.tasks.instance_poll_connection",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def instance_poll_connection(instance_id: str) -> None:
    try:
        instance = Instance.objects.select_related("organization").get(
            pk=instance_id, is_active=True
        )
    except ObjectDoesNotExist:
        return
    # A failure is recorded on the instance (ERROR + reason); the next poll tries again.
    instance_check_connection(instance=instance)
