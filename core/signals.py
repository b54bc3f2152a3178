"""Celery signal handlers: each task's log context and its metrics.

Connected from ``CoreConfig.ready()``, so every Celery process (prefork
children included) and the web processes that run tasks eagerly get them.
"""

from __future__ import annotations

import time

from celery import signals

from core import metrics
from core.logging import new_log_context

_started: dict[str, float] = {}


@signals.task_prerun.connect(weak=False)
def _task_started(task_id=None, task=None, **kwargs) -> None:
    new_log_context(task_id=task_id)
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect(weak=False)
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    if started is not None:
        metrics.CELERY_TASK_SECONDS.labels(name).observe(time.monotonic() - started)
    metrics.CELERY_TASKS.labels(name, state or "UNKNOWN").inc()
    new_log_context()
