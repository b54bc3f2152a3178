from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.schedules import PERIODIC_TASKS


def sync_periodic_tasks(using: str = "default") -> None:
    """Make django-celery-beat's tables match ``config.schedules``."""
    with transaction.atomic(using=using):
        for name, (task, seconds) in PERIODIC_TASKS.items():
            interval, _ = IntervalSchedule.objects.using(using).get_or_create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.using(using).update_or_create(
                name=f"atende:{name}",
                defaults={"task": task, "interval": interval, "enabled": True},
            )
        PeriodicTask.objects.using(using).filter(name__startswith="atende:").exclude(
            name__in=[f"atende:{name}" for name in PERIODIC_TASKS]
        ).delete()
