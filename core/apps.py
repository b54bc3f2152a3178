from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        # Periodic tasks are declared in code (config/schedules.py) and
        # written to django-celery-beat's tables after every migrate, so a
        # fresh install needs no clicking in the admin.
        post_migrate.connect(_sync_after_migrate, sender=self, weak=False)
        # Connects the Celery task handlers (log context, task metrics).
        # Registers the deployment checks (settings are only read once apps load).
        from core import (
            checks,  # noqa: F401
            signals,  # noqa: F401
        )


def _sync_after_migrate(sender, using="default", **kwargs) -> None:
    # core.schedules uses django-celery-beat's models, which cannot be imported
    # while this module loads (before the app registry is ready).
    from core.schedules import sync_periodic_tasks

    sync_periodic_tasks(using=using)
