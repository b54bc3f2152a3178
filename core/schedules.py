from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.schedules import PERIODIC_TASKS

PREFIX = "atende:"


def sync_periodic_tasks(using: str = "default") -> None:
    """Make django-celery-beat's tables match ``config.schedules``.

    Runs after every ``migrate`` (and every test's flush): rows already as
    declared are read once and left alone; only a missing, changed or
    disabled task is written, through the model's own ``save`` (its checks,
    and the change mark beat watches)."""
    wanted = {f"{PREFIX}{name}": spec for name, spec in PERIODIC_TASKS.items()}
    with transaction.atomic(using=using):
        tasks = PeriodicTask.objects.using(using)
        existing = {
            task.name: task
            for task in tasks.filter(name__startswith=PREFIX).select_related("interval")
        }
        intervals: dict[int, IntervalSchedule] = {}
        for name, (task_name, seconds) in wanted.items():
            row = existing.get(name)
            if (
                row is not None
                and row.task == task_name
                and row.enabled
                and row.interval is not None
                and (row.interval.every, row.interval.period) == (seconds, IntervalSchedule.SECONDS)
            ):
                continue
            if seconds not in intervals:
                intervals[seconds], _ = IntervalSchedule.objects.using(using).get_or_create(
                    every=seconds, period=IntervalSchedule.SECONDS
                )
            row = row or PeriodicTask(name=name)
            row.task, row.interval, row.enabled = task_name, intervals[seconds], True
            row.save(using=using)
        for name in existing.keys() - wanted.keys():
            existing[name].delete(using=using)
