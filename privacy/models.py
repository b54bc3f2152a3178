"""What the LGPD requests leave behind: the record of each erasure (no personal data)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureSource(models.TextChoices):
    API = "api", _("API")
    CONSOLE = "console", _("Console")
    COMMAND = "command", _("Command")


class Erasure(models.Model):
    """One contact erased: who asked, when, why, and how many rows each table lost.

    It names the contact only by its id (the tombstone row that stays) and
    holds no phone, name or text: it is what the company shows to prove it
    honoured the request.
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="erasures",
        verbose_name=_("organization"),
    )
    contact = models.OneToOneField(
        "contacts.Contact",
        null=True,
        on_delete=models.SET_NULL,
        related_name="erasure",
        verbose_name=_("contact"),
    )
    source = models.CharField(
        max_length=16, choices=ErasureSource.choices, verbose_name=_("source")
    )
    # "agent:<username>", "api:<key name>" or "command", as session events name actors.
    requested_by = models.CharField(max_length=200, verbose_name=_("requested by"))
    reason = models.CharField(max_length=500, verbose_name=_("reason"))
    counts = models.JSONField(default=dict, verbose_name=_("rows erased per table"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("erased at"))

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return f"erasure {self.id}"


class ExportStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    RUNNING = "RUNNING", _("Running")
    READY = "READY", _("Ready")
    FAILED = "FAILED", _("Failed")
    EXPIRED = "EXPIRED", _("Expired")


def export_upload_path(export: "Export", filename: str) -> str:
    return f"exports/{export.organization_id}/{export.id}.zip"


class Export(models.Model):
    """A copy of everything stored about one contact (LGPD arts. 18–19), as a ZIP.

    Built by a worker (``privacy.export_build``); downloadable for
    ``EXPORT_TTL`` after it is ready, then its file is deleted.
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("organization"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        on_delete=models.SET_NULL,
        related_name="exports",
        verbose_name=_("contact"),
    )
    status = models.CharField(
        max_length=8,
        choices=ExportStatus.choices,
        default=ExportStatus.PENDING,
        verbose_name=_("status"),
    )
    requested_by = models.CharField(max_length=200, verbose_name=_("requested by"))
    progress = models.PositiveSmallIntegerField(default=0, verbose_name=_("progress"))
    messages_count = models.PositiveIntegerField(default=0, verbose_name=_("messages"))
    media_count = models.PositiveIntegerField(default=0, verbose_name=_("media files"))
    file = models.FileField(
        upload_to=export_upload_path, max_length=300, blank=True, verbose_name=_("file")
    )
    size = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("size"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"export {self.id} ({self.status})"
