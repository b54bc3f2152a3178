import logging
import os
import sys

from celery import Celery, bootsteps
from celery.signals import task_prerun, worker_shutdown
from django.utils import translation
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("atende")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The inbox drains, and the beat task that wakes lost ones, have a queue of
# their own, which every worker consumes (no -Q: a worker takes every queue
# listed here) in turn with the default one. In a spike the default queue
# holds a task per turn; a drain woken behind them (the one that takes over
# a killed worker's rows) would wait its turn in one queue, and every due
# turn behind it waits for its rows.
app.conf.task_default_queue = "celery"
app.conf.task_queues = (Queue("celery"), Queue("inbox"))
app.conf.task_routes = {
    "messaging.inbox.inbox_drain": {"queue": "inbox"},
    "messaging.inbox.inbox_requeue_lost": {"queue": "inbox"},
}


@task_prerun.connect
def _stored_texts_in_english(**kwargs) -> None:
    # Tasks write texts that are stored (timeline events, errors) and have no
    # reader to pick a language for: stored texts are English and translated
    # where they are shown. Without this, a lazy string would follow
    # LANGUAGE_CODE (pt-br).
    translation.activate("en")


@worker_shutdown.connect
def _exit_once_stopped(sender=None, **kwargs) -> None:
    # The warm shutdown is over: running tasks finished, their acks sent,
    # the pool's processes joined. What remains is billiard's finalizers
    # (its timeout thread sleeps in 1 s steps) and the interpreter's
    # teardown, several seconds on a busy machine that `make run`'s Ctrl-C
    # and a platform's stop timeout would wait for nothing.
    blueprint = getattr(sender, "blueprint", None)
    if blueprint is None or blueprint.state != bootsteps.TERMINATE:
        return
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(sender.exitcode if isinstance(sender.exitcode, int) else 0)
