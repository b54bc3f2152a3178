"""config/schedules.py written to django-celery-beat's tables after migrate."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from config.schedules import PERIODIC_TASKS
from core.schedules import PREFIX, sync_periodic_tasks


def _installed() -> dict[str, tuple[str, int, bool]]:
    return {
        task.name.removeprefix(PREFIX): (task.task, task.interval.every, task.enabled)
        for task in PeriodicTask.objects.filter(name__startswith=PREFIX).select_related("interval")
    }


def test_the_migrated_database_holds_every_declared_task(db):
    assert _installed() == {
        name: (task, seconds, True) for name, (task, seconds) in PERIODIC_TASKS.items()
    }


def test_a_sync_with_nothing_to_change_reads_once_and_writes_nothing(db):
    with CaptureQueriesContext(connection) as captured:
        sync_periodic_tasks()
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) == 1 and statements[0].startswith("SELECT"), statements


def test_a_changed_disabled_or_unknown_task_is_put_back_and_others_are_left(db):
    heartbeat = PeriodicTask.objects.get(name=f"{PREFIX}worker-heartbeat")
    heartbeat.interval = IntervalSchedule.objects.create(every=999, period=IntervalSchedule.SECONDS)
    heartbeat.save()
    PeriodicTask.objects.filter(name=f"{PREFIX}templates-sync").update(enabled=False)
    PeriodicTask.objects.filter(name=f"{PREFIX}webhook-inbox-cleanup").update(task="gone.task")
    PeriodicTask.objects.filter(name=f"{PREFIX}deleted-messages-erase").delete()
    PeriodicTask.objects.create(
        name=f"{PREFIX}no-longer-declared", task="x.y", interval=heartbeat.interval
    )
    own = PeriodicTask.objects.create(
        name="an operator's own", task="x.y", interval=heartbeat.interval
    )
    before = PeriodicTasks.last_change()

    sync_periodic_tasks()

    assert _installed() == {
        name: (task, seconds, True) for name, (task, seconds) in PERIODIC_TASKS.items()
    }
    assert PeriodicTask.objects.filter(pk=own.pk).exists()
    # beat reads its schedule again.
    assert PeriodicTasks.last_change() != before
