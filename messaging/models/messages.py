"""A message: its kinds, authors and statuses, and the row itself."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "INBOUND", _("Inbound")
    OUTBOUND = "OUTBOUND", _("Outbound")


class Author(models.TextChoices):
    CUSTOMER = "CUSTOMER", _("Customer")
    AGENT = "AGENT", _("Agent")
    AI = "AI", _("AI")
    BUSINESS = "BUSINESS", _("Business phone")  # typed on the business phone itself
    SYSTEM = "SYSTEM", _("System")  # timeline events: status changes, AI blocks, ...
    AGENT_PLATFORM = "AGENT_PLATFORM", _("Agent platform")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VOICE = "voice", _("Voice note")  # push-to-talk voice note
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    STICKER = "sticker", _("Sticker")
    LOCATION = "location", _("Location")
    CONTACT = "contact", _("Contact")
    REACTION = "reaction", _("Reaction")
    INTERACTIVE = "interactive", _("Interactive")  # reply buttons or a list
    TEMPLATE = "template", _("Template")  # a WhatsApp message template (Cloud API)
    UNSUPPORTED = "unsupported", _("Unsupported")
    # an agent's @command typed on the business phone (CHAT_COMMAND)
    COMMAND = "command", _("Command")


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
    PENDING = "PENDING", _("Pending")
    SENT = "SENT", _("Sent")
    DELIVERED = "DELIVERED", _("Delivered")
    READ = "READ", _("Read")
    FAILED = "FAILED", _("Failed")


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
    PENDING = "PENDING", _("Pending")
    PROCESSING = "PROCESSING", _("Processing")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")
    SKIPPED = "SKIPPED", _("Skipped")


def media_upload_path(message: "Message", filename: str) -> str:
    return f"media/{message.organization_id}/{message.session_id}/{message.id}/{filename}"


class Message(models.Model):
    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("organization"),
    )
    session = models.ForeignKey(
        "sessions_app.ChatSession",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("session"),
    )
    # Denormalized from the session: the by-contact history and the
    # per-instance uniqueness of provider ids need them without a join.
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("contact"),
    )
    instance = models.ForeignKey(
        "providers.Instance",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("instance"),
    )
    direction = models.CharField(
        max_length=8, choices=Direction.choices, verbose_name=_("direction")
    )
    author = models.CharField(max_length=16, choices=Author.choices, verbose_name=_("author"))
    kind = models.CharField(
        max_length=12, choices=MessageKind.choices, default=MessageKind.TEXT, verbose_name=_("kind")
    )
    # Body for text, caption for media, label for reactions/locations.
    text = models.TextField(blank=True, verbose_name=_("text"))
    # Normalized extras by kind: location {latitude, longitude, name,
    # address}, contact {vcard, name}, reaction {emoji, targetId},
    # command {name, args}, quoted message id, interactive reply id.
    payload = models.JSONField(default=dict, blank=True, verbose_name=_("payload"))

    # What the gateway needs to hand the media back (opaque to the domain).
    media_ref = models.JSONField(default=dict, blank=True, verbose_name=_("media reference"))
    media_mimetype = models.CharField(max_length=120, blank=True, verbose_name=_("media MIME type"))
    media_filename = models.CharField(max_length=255, blank=True, verbose_name=_("media file name"))
    media_size = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("media size"))
    media_duration = models.FloatField(
        null=True, blank=True, help_text=_("Seconds."), verbose_name=_("media duration")
    )
    media_file = models.FileField(
        upload_to=media_upload_path, max_length=500, blank=True, verbose_name=_("media file")
    )
    media_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("media SHA-256"))

    transcription = models.TextField(blank=True, verbose_name=_("transcription"))
    transcription_status = models.CharField(
        max_length=10,
        choices=TranscriptionStatus.choices,
        blank=True,
        verbose_name=_("transcription status"),
    )
    transcription_error = models.TextField(blank=True, verbose_name=_("transcription error"))
    transcription_model = models.CharField(
        max_length=100, blank=True, verbose_name=_("transcription model")
    )
    transcription_language = models.CharField(
        max_length=8, blank=True, verbose_name=_("transcription language")
    )
    transcription_attempts = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("transcription attempts")
    )
    transcription_started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("transcription started at")
    )
    transcription_processed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("transcription processed at")
    )

    provider_message_id = models.CharField(
        max_length=200, null=True, blank=True, verbose_name=_("provider message ID")
    )
    delivery_status = models.CharField(
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        verbose_name=_("delivery status"),
    )
    delivery_error = models.TextField(blank=True, verbose_name=_("delivery error"))
    # WhatsApp's own code and title for a failure (Cloud API 131047
    # "Re-engagement message" ...), from the send's answer or a later status.
    delivery_error_code = models.CharField(
        max_length=20, blank=True, verbose_name=_("delivery error code")
    )
    delivery_error_title = models.CharField(
        max_length=200, blank=True, verbose_name=_("delivery error title")
    )
    send_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("send attempts"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("failed at"))

    external_id = models.CharField(max_length=200, blank=True, verbose_name=_("external ID"))
    idempotency_key = models.CharField(
        max_length=200, null=True, blank=True, verbose_name=_("idempotency key")
    )
    # False for messages recorded through the API without sending.
    send_external = models.BooleanField(default=True, verbose_name=_("send through WhatsApp"))
    sent_by_user = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by user"),
    )
    turn = models.ForeignKey(
        "messaging.Turn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("turn"),
    )
    # The value of session.concat_seq this message produced (inbound customer
    # messages only).
    concat_seq = models.PositiveBigIntegerField(
        null=True, blank=True, verbose_name=_("message sequence")
    )
    raw_payload = models.JSONField(default=dict, blank=True, verbose_name=_("raw payload"))
    provider_timestamp = models.DateTimeField(
        null=True, blank=True, verbose_name=_("provider timestamp")
    )
    # When the webhook carrying it reached us (the inbox row's received_at):
    # the time its turn's window is measured on, however late a worker
    # ingests it. None for messages that did not come through a webhook.
    received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("received at"))
    # Edits (messaging.inbound.revisions): when the text last changed, and every
    # earlier text, oldest first: [{"text", "replacedAt"}].
    edited_at = models.DateTimeField(null=True, blank=True, verbose_name=_("edited at"))
    edit_history = models.JSONField(default=list, blank=True, verbose_name=_("edit history"))
    # Deleted for everyone by its sender (CUSTOMER, or BUSINESS for ours):
    # hidden from agents and the API at once; its content is erased
    # DELETED_MESSAGE_RETENTION_DAYS later (content_erased_at).
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))
    deleted_by = models.CharField(
        max_length=16, choices=Author.choices, blank=True, verbose_name=_("deleted by")
    )
    content_erased_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("content erased at")
    )
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
