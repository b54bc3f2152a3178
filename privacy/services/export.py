"""Exports (LGPD access and portability): requested, built by a worker, expired.

A request creates an ``Export`` and queues ``privacy.export_build`` after
the commit. The task writes the ZIP (``export_archive``) into a temporary
file on the worker's disk, streams it into the media storage, and marks the
export READY with a download window of ``EXPORT_TTL``; the hourly
``privacy.exports_expire`` deletes files past it. A killed worker's task is
redelivered (``acks_late``) and builds the archive again from the start.
"""

import logging
import tempfile
from datetime import timedelta

from celery import shared_task
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from privacy.models import Export, ExportStatus
from privacy.services.export_archive import write_archive

logger = logging.getLogger(__name__)

EXPORT_TTL = timedelta(hours=24)


def export_request(*, contact: Contact, requested_by: str) -> Export:
    export = Export.objects.create(
        organization_id=contact.organization_id, contact=contact, requested_by=requested_by[:200]
    )
    transaction.on_commit(lambda: export_build.delay(str(export.pk)))
    return export


def export_is_downloadable(export: Export) -> bool:
    return (
        export.status == ExportStatus.READY
        and bool(export.file)
        and export.expires_at is not None
        and export.expires_at > timezone.now()
    )


def export_run(export_id) -> str:
    """Build the export's archive; returns the export's final status."""
    claimed = Export.objects.filter(
        pk=export_id, status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]
    ).update(status=ExportStatus.RUNNING, started_at=timezone.now(), progress=0)
    export = Export.objects.select_related("contact").filter(pk=export_id).first()
    if not claimed or export is None:
        return export.status if export else "gone"
    if export.contact is None:
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error="The contact no longer exists."
        )
        return ExportStatus.FAILED

    def report(percent: int) -> None:
        Export.objects.filter(pk=export.pk).update(progress=percent)

    try:
        with tempfile.TemporaryFile(prefix="atende-export-") as tmp:
            counts = write_archive(tmp, export.contact, report)
            size = tmp.tell()
            tmp.seek(0)
            if export.file:
                export.file.delete(save=False)  # a redelivered build starts over
            export.file.save(f"{export.pk}.zip", File(tmp), save=False)
    except Exception as error:  # SoftTimeLimitExceeded included: the export says it failed
        logger.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:1000]
        )
        return ExportStatus.FAILED
    now = timezone.now()
    updated = Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY,
        file=export.file.name,
        size=size,
        progress=100,
        messages_count=counts["messages"],
        media_count=counts["mediaFiles"],
        finished_at=now,
        expires_at=now + EXPORT_TTL,
    )
    if not updated:
        # The contact was erased while its archive was being written.
        export.file.storage.delete(export.file.name)
        return "gone"
    return ExportStatus.READY


def exports_expire_past_ttl(batch: int = 200) -> int:
    """Delete the files of exports whose download window has closed."""
    expired = 0
    while True:
        rows = list(
            Export.objects.filter(status=ExportStatus.READY, expires_at__lte=timezone.now())[:batch]
        )
        if not rows:
            return expired
        for export in rows:
            if export.file:
                export.file.delete(save=False)
            Export.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, file="")
            expired += 1


def contact_exports_delete(contact: Contact) -> int:
    """An erased contact's exports go too: they are copies of what was erased."""
    exports = list(Export.objects.filter(contact=contact))
    for export in exports:
        if export.file:
            name, storage = export.file.name, export.file.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    return Export.objects.filter(pk__in=[e.pk for e in exports]).delete()[0]


@shared_task(
    name="privacy.export_build",
    ignore_result=True,
    acks_late=True,
    time_limit=3600,
    soft_time_limit=3540,
)
def export_build(export_id: str) -> str:
    return export_run(export_id)


@shared_task(
    name="privacy.exports_expire",
    ignore_result=True,
    time_limit=600,
    soft_time_limit=570,
)
def exports_expire() -> int:
    """Beat (hourly): exports past their download window lose their file."""
    return exports_expire_past_ttl()
