import socket

from celery import shared_task
from django.utils import timezone

from core.models import Heartbeat


@shared_task(name="core.tasks.heartbeat", ignore_result=True, time_limit=30, soft_time_limit=25)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(
        name="worker",
        defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()},
    )
