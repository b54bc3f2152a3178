"""Every periodic task, declared once, installed by ``core.schedules``.

name -> (task path, every N seconds). Apps add their housekeeping here.
"""

PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "worker-heartbeat": ("core.tasks.heartbeat", 15),
    "transcription-requeue-stale": ("messaging.media.transcription_requeue_stale", 60),
}
