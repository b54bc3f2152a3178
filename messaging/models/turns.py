"""A turn: a customer's burst of messages merged into one unit for the AI."""

import uuid
from enum import StrEnum

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TurnStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")  # collecting a burst
    CLOSED = "CLOSED", _("Finished")  # burst finished; text assembled


class DispatchStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    DISPATCHED = "DISPATCHED", _("Dispatched")
    SKIPPED = "SKIPPED", _("Not sent")
    NO_INTEGRATION = "NO_INTEGRATION", _("No integration")


class CloseReason(StrEnum):
    """Why a turn closed (``Turn.close_reason``): the six ways, drawn in
    docs/PIPELINE.md ("How a turn closes") and ``messaging.turns``."""

    WINDOW = "window"  # the window passed after its last message
    MAX_WAIT = "max_wait"  # CONCAT_MAX_WAIT_SECONDS after its first message
    MAX_MESSAGES = "max_messages"  # CONCAT_MAX_MESSAGES reached
    MEDIA_TIMEOUT = "media_timeout"  # a transcription did not finish in time
    SWEPT = "swept"  # its task was lost; the beat sweeper closed it
    EMPTIED = "emptied"  # every message was deleted; nothing is dispatched


class Turn(models.Model):
    """A customer's burst of messages merged into one unit for the AI."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="turns",
        verbose_name=_("organization"),
    )
    session = models.ForeignKey(
        "sessions_app.ChatSession",
        on_delete=models.CASCADE,
        related_name="turns",
        verbose_name=_("session"),
    )
    status = models.CharField(
        max_length=8, choices=TurnStatus.choices, default=TurnStatus.OPEN, verbose_name=_("status")
    )
    # Arrival times (Message.received_at) of its first and latest messages.
    first_message_at = models.DateTimeField(verbose_name=_("first message at"))
    last_message_at = models.DateTimeField(verbose_name=_("last message at"))
    # When its window (or a bound) ends, on arrival times; moved by every
    # message that joins it. The drain closes due turns once it has ingested
    # every webhook of the turn's inbox partition that arrived before this.
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    # The webhook inbox partition its messages come through (its chat's);
    # None for turns of messages that did not come through the inbox.
    inbox_partition = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("inbox partition")
    )
    # The due time a drain last queued this turn's close for: each drain run
    # (and every worker) queues a caught-up turn once per due time, not once
    # per batch, however long the queue is.
    close_queued_for = models.DateTimeField(
        null=True, blank=True, verbose_name=_("close queued for")
    )
    # Highest session.concat_seq folded into this turn.
    last_seq = models.PositiveBigIntegerField(default=0, verbose_name=_("last sequence"))
    messages_count = models.PositiveIntegerField(default=0, verbose_name=_("number of messages"))
    text = models.TextField(blank=True, verbose_name=_("text"))
    close_reason = models.CharField(max_length=32, blank=True, verbose_name=_("finish reason"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    dispatch_status = models.CharField(
        max_length=16,
        choices=DispatchStatus.choices,
        default=DispatchStatus.PENDING,
        verbose_name=_("dispatch status"),
    )
    dispatch_reason = models.CharField(
        max_length=200, blank=True, verbose_name=_("dispatch reason")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(status="OPEN"),
                name="one_open_turn_per_session",
            )
        ]
        indexes = [
            models.Index(fields=["status", "last_message_at"]),
            models.Index(fields=["session", "created_at"]),
            # The drain's "which open turns are due now" after each batch.
            models.Index(fields=["due_at"], condition=Q(status="OPEN"), name="turn_open_due"),
        ]

    def __str__(self) -> str:
        return f"turn {self.id} ({self.status}, {self.messages_count} msgs)"
