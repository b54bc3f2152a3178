import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class Author(models.TextChoices):
    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    AI = "AI"
    BUSINESS = "BUSINESS"  # typed on the business phone itself
    SYSTEM = "SYSTEM"  # timeline events: status changes, AI blocks, ...
    AGENT_PLATFORM = "AGENT_PLATFORM"


class MessageKind(models.TextChoices):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VOICE = "voice"  # push-to-talk voice note
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    REACTION = "reaction"
    INTERACTIVE = "interactive"
    UNSUPPORTED = "unsupported"
    COMMAND = "command"  # an agent's @command typed on the business phone (CHAT_COMMAND)


MEDIA_KINDS = frozenset(
    {
        MessageKind.IMAGE,
        MessageKind.AUDIO,
        MessageKind.VOICE,
        MessageKind.VIDEO,
        MessageKind.DOCUMENT,
        MessageKind.STICKER,
    }
)

# Images WhatsApp will not show as images (and a browser must not render
# inline from our origin): sent as documents, linked rather than embedded.
NON_WHATSAPP_IMAGE_TYPES = frozenset({"image/svg+xml"})


def kind_for_mimetype(mimetype: str) -> str:
    """The message kind a file of this type is sent as, when nothing else says."""
    mimetype = (mimetype or "").lower()
    if mimetype.startswith("image/") and mimetype not in NON_WHATSAPP_IMAGE_TYPES:
        return MessageKind.IMAGE
    if mimetype.startswith("audio/"):
        return MessageKind.AUDIO
    if mimetype.startswith("video/"):
        return MessageKind.VIDEO
    return MessageKind.DOCUMENT


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    FAILED = "FAILED"


# Delivery status only moves forward: a late "DELIVERED" webhook never
# downgrades a READ message. FAILED wins over anything but READ.
DELIVERY_STATUS_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.FAILED: 3,
    DeliveryStatus.READ: 4,
}


class TranscriptionStatus(models.TextChoices):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


def media_upload_path(message: "Message", filename: str) -> str:
    return f"media/{message.organization_id}/{message.session_id}/{message.id}/{filename}"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="messages"
    )
    session = models.ForeignKey(
        "sessions_app.ChatSession", on_delete=models.CASCADE, related_name="messages"
    )
    # Denormalized from the session: the by-contact history and the
    # per-instance uniqueness of provider ids need them without a join.
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="messages"
    )
    instance = models.ForeignKey(
        "providers.Instance", on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    author = models.CharField(max_length=16, choices=Author.choices)
    kind = models.CharField(max_length=12, choices=MessageKind.choices, default=MessageKind.TEXT)
    # Body for text, caption for media, label for reactions/locations.
    text = models.TextField(blank=True)
    # Normalized extras by kind: location {latitude, longitude, name,
    # address}, contact {vcard, name}, reaction {emoji, targetId},
    # command {name, args}, quoted message id, interactive reply id.
    payload = models.JSONField(default=dict, blank=True)

    # What the gateway needs to hand the media back (opaque to the domain).
    media_ref = models.JSONField(default=dict, blank=True)
    media_mimetype = models.CharField(max_length=120, blank=True)
    media_filename = models.CharField(max_length=255, blank=True)
    media_size = models.PositiveBigIntegerField(null=True, blank=True)
    media_duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    media_file = models.FileField(upload_to=media_upload_path, max_length=500, blank=True)
    media_sha256 = models.CharField(max_length=64, blank=True)

    transcription = models.TextField(blank=True)
    transcription_status = models.CharField(
        max_length=10, choices=TranscriptionStatus.choices, blank=True
    )
    transcription_error = models.TextField(blank=True)
    transcription_model = models.CharField(max_length=100, blank=True)
    transcription_language = models.CharField(max_length=8, blank=True)
    transcription_attempts = models.PositiveSmallIntegerField(default=0)
    transcription_started_at = models.DateTimeField(null=True, blank=True)
    transcription_processed_at = models.DateTimeField(null=True, blank=True)

    provider_message_id = models.CharField(max_length=200, null=True, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    delivery_error = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    external_id = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    # False for messages recorded through the API without sending.
    send_external = models.BooleanField(default=True)
    sent_by_user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    turn = models.ForeignKey(
        "messaging.Turn", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # The value of session.concat_seq this message produced (inbound customer
    # messages only).
    concat_seq = models.PositiveBigIntegerField(null=True, blank=True)
    raw_payload = models.JSONField(default=dict, blank=True)
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    # When the webhook carrying it reached us (the inbox row's received_at):
    # the time its turn's window is measured on, however late a worker
    # ingests it. None for messages that did not come through a webhook.
    received_at = models.DateTimeField(null=True, blank=True)
    # Edits (messaging.inbound.revisions): when the text last changed, and every
    # earlier text, oldest first: [{"text", "replacedAt"}].
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_history = models.JSONField(default=list, blank=True)
    # Deleted for everyone by its sender (CUSTOMER, or BUSINESS for ours):
    # hidden from agents and the API at once; its content is erased
    # DELETED_MESSAGE_RETENTION_DAYS later (content_erased_at).
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=16, choices=Author.choices, blank=True)
    content_erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at"]
        constraints = [
            # Providers retry and reorder webhooks: the same provider id on
            # the same instance can only ever be stored once.
            models.UniqueConstraint(
                fields=["instance", "provider_message_id"],
                condition=Q(provider_message_id__isnull=False),
                name="message_provider_id_unique_per_instance",
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="message_idempotency_key_unique_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "created_at"]),
            models.Index(fields=["contact", "created_at"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["organization", "author"]),
            models.Index(fields=["organization", "direction"]),
            models.Index(fields=["organization", "kind"]),
            models.Index(fields=["organization", "delivery_status"]),
            models.Index(fields=["transcription_status", "transcription_started_at"]),
            models.Index(fields=["media_sha256"]),
            models.Index(fields=["session", "concat_seq"]),
            # The retention task: deleted messages whose content is still kept.
            models.Index(
                fields=["deleted_at"],
                condition=Q(deleted_at__isnull=False, content_erased_at__isnull=True),
                name="message_deleted_content_kept",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} {self.kind}: {self.text[:40]}"

    @property
    def is_media(self) -> bool:
        return self.kind in MEDIA_KINDS

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class TurnStatus(models.TextChoices):
    OPEN = "OPEN"  # collecting a burst
    CLOSED = "CLOSED"  # burst finished; text assembled


class DispatchStatus(models.TextChoices):
    PENDING = "PENDING"
    DISPATCHED = "DISPATCHED"
    SKIPPED = "SKIPPED"
    NO_INTEGRATION = "NO_INTEGRATION"


class Turn(models.Model):
    """A customer's burst of messages merged into one unit for the AI."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="turns"
    )
    session = models.ForeignKey(
        "sessions_app.ChatSession", on_delete=models.CASCADE, related_name="turns"
    )
    status = models.CharField(max_length=8, choices=TurnStatus.choices, default=TurnStatus.OPEN)
    # Arrival times (Message.received_at) of its first and latest messages.
    first_message_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    # When its window (or a bound) ends, on arrival times; moved by every
    # message that joins it. The drain closes due turns once it has ingested
    # every webhook of the turn's inbox partition that arrived before this.
    due_at = models.DateTimeField(null=True, blank=True)
    # The webhook inbox partition its messages come through (its chat's);
    # None for turns of messages that did not come through the inbox.
    inbox_partition = models.PositiveSmallIntegerField(null=True, blank=True)
    # The due time a drain last queued this turn's close for: each drain run
    # (and every worker) queues a caught-up turn once per due time, not once
    # per batch, however long the queue is.
    close_queued_for = models.DateTimeField(null=True, blank=True)
    # Highest session.concat_seq folded into this turn.
    last_seq = models.PositiveBigIntegerField(default=0)
    messages_count = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    close_reason = models.CharField(max_length=32, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    dispatch_status = models.CharField(
        max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    dispatch_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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


class WebhookInbox(models.Model):
    """A gateway webhook accepted by the view and not necessarily ingested yet.

    The view authenticates, parses and stores the body here (one INSERT),
    then wakes the instance's drain (``messaging.inbound.inbox``); the ingest runs in
    a worker. The row is the durable copy: a lost task is queued again by the
    sweeper, and ``processed_at`` is written in the ingest's own transaction.
    """

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the unique constraint below starts with it.
    instance = models.ForeignKey(
        "providers.Instance", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The parsers read the body only (no header carries event data).
    body = models.JSONField()
    # Of the raw bytes: a gateway retrying the same body stores nothing twice.
    body_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    # Which of the instance's drains ingests it: a hash of the chat (the
    # customer's phone or JID, read at the door), so different chats drain
    # in parallel and one chat's webhooks stay in arrival order.
    partition = models.PositiveSmallIntegerField(default=0)
    # Set (committed) by the run that works on the row; cleared when it fails.
    # A claim older than the lease belongs to a run that died.
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # IngestResult counts: stored, duplicates, echoes, statuses, ignored.
    result = models.JSONField(default=dict, blank=True)

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
