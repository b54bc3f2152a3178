import os

from celery import Celery
from celery.signals import task_prerun
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
