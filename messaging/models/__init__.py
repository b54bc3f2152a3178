"""The messaging app's models, one module per job.

- ``messages``: a message (kinds, authors, delivery and transcription
  statuses, where its media is stored);
- ``turns``: a customer's burst of messages merged into one unit for the AI;
- ``inbox``: webhooks stored at the door, waiting for a worker's ingest.

Everything is imported here, so ``from messaging.models import X`` names
them all (Django finds a package's models through this file) and the
migrations keep their ``messaging.models.media_upload_path``. The modules
do not import each other: ``Message.turn`` names its model as a string.
"""

from messaging.models.inbox import WebhookInbox
from messaging.models.messages import (
    DELIVERY_STATUS_RANK,
    MEDIA_KINDS,
    NON_WHATSAPP_IMAGE_TYPES,
    Author,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    TranscriptionStatus,
    kind_for_mimetype,
    media_upload_path,
)
from messaging.models.turns import CloseReason, DispatchStatus, Turn, TurnStatus

__all__ = [
    "DELIVERY_STATUS_RANK",
    "MEDIA_KINDS",
    "NON_WHATSAPP_IMAGE_TYPES",
    "Author",
    "CloseReason",
    "DeliveryStatus",
    "Direction",
    "DispatchStatus",
    "Message",
    "MessageKind",
    "TranscriptionStatus",
    "Turn",
    "TurnStatus",
    "WebhookInbox",
    "kind_for_mimetype",
    "media_upload_path",
]
