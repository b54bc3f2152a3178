"""Celery tasks for instances: thin, idempotent, ids in and out."""

import logging

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from core.errors import DomainError
from providers.models import Instance
from providers.selectors import instances_to_poll, instances_with_templates
from providers.services import instance_check_connection
from providers.templates.sync import templates_sync

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


def templates_sync_enqueue(instance_id) -> None:
    """Sync an instance's templates once the transaction commits."""
    key = str(instance_id)
    transaction.on_commit(lambda: template_sync_instance.delay(key))


@shared_task(
    name="providers.tasks.templates_sync_all",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def templates_sync_all() -> int:
    """Beat (every 3 hours): one sync task per Cloud API instance with a business account."""
    ids = [str(instance.pk) for instance in instances_with_templates()]
    for instance_id in ids:
        template_sync_instance.delay(instance_id)
    return len(ids)


@shared_task(
    name="providers.tasks.template_sync_instance",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def template_sync_instance(instance_id: str) -> None:
    found = instances_with_templates(pk=instance_id)
    if not found:
        return
    instance = found[0]
    try:
        templates_sync(instance=instance)
    except DomainError as exc:
        # Meta unreachable or the account misconfigured: the next run tries again.
        logger.warning("template sync of instance %s failed: %s", instance_id, exc.message)
