"""The webhook inbox: gateway webhooks stored at the door, ingested by a worker."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WebhookInbox(models.Model):
    """A gateway webhook accepted by the view and not necessarily ingested yet.

    The view authenticates, parses and stores the body here (one INSERT),
    then wakes the instance's drain (``messaging.inbound.tasks``); the ingest runs in
    a worker. The row is the durable copy: a lost task is queued again by the
    sweeper, and ``processed_at`` is written in the ingest's own transaction.
    """

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    # No index of its own: the unique constraint below starts with it.
    instance = models.ForeignKey(
        "providers.Instance",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("instance"),
    )
    # The parsers read the body only (no header carries event data).
    body = models.JSONField(verbose_name=_("body"))
    # Of the raw bytes: a gateway retrying the same body stores nothing twice.
    body_sha256 = models.CharField(max_length=64, verbose_name=_("body SHA-256"))
    received_at = models.DateTimeField(verbose_name=_("received at"))
    # Which of the instance's drains ingests it: a hash of the chat (the
    # customer's phone or JID, read at the door), so different chats drain
    # in parallel and one chat's webhooks stay in arrival order.
    partition = models.PositiveSmallIntegerField(default=0, verbose_name=_("partition"))
    # Set (committed) by the run that works on the row; cleared when it fails.
    # A claim older than the lease belongs to a run that died.
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    # IngestResult counts: stored, duplicates, echoes, statuses, ignored.
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))

    class Meta:
        verbose_name = _("webhook inbox row")
        verbose_name_plural = _("webhook inbox rows")
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "body_sha256"], name="webhook_inbox_body_once_per_instance"
            )
        ]
        indexes = [
            # The drain: one partition's unprocessed rows, oldest first, and
            # the turns' watermark (the oldest of them). Only unprocessed rows
            # are in it, so the sweeper (all instances) reads it whole cheaply.
            models.Index(
                fields=["instance", "partition", "received_at"],
                condition=Q(processed_at__isnull=True),
                name="webhook_inbox_pending_part",
            )
        ]

    def __str__(self) -> str:
        return f"webhook {self.pk} ({'processed' if self.processed_at else 'pending'})"
