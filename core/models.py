from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Last time a Celery worker ran the heartbeat task.

    Kept in the database, not in a process, so any web process can tell
    whether some worker is alive.
    """

    name = models.CharField(max_length=64, primary_key=True, verbose_name=_("name"))
    beat_at = models.DateTimeField(verbose_name=_("beat at"))
    hostname = models.CharField(max_length=255, blank=True, verbose_name=_("host name"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
