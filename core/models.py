from django.db import models


class Heartbeat(models.Model):
    """Last time a Celery worker ran the heartbeat task.

    Kept in the database, not in a process, so any web process can tell
    whether some worker is alive.
    """

    name = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
