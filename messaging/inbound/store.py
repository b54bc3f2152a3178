"""A gateway's message as a row: built from the event, inserted once.

The provider message id is unique per instance, so a retried webhook's
message fails its INSERT on that constraint: ``message_insert`` turns the
failure into ``DuplicateMessage``, which the ingest counts instead of
storing. ``IngestResult`` is the tally of one webhook's ingest, which every
part of it adds to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError

from messaging.inbound.replies import reply_apply
from messaging.models import Author, Message
from providers.base import MessageEvent


@dataclass
class IngestResult:
    stored: list[str] = field(default_factory=list)  # message ids created
    duplicates: int = 0
    echoes: int = 0
    statuses: int = 0
    revisions: int = 0  # edits and deletions applied
    ignored: list[str] = field(default_factory=list)  # "<event type>: <reason>"

    def as_dict(self) -> dict:
        return {
            "stored": len(self.stored),
            "duplicates": self.duplicates,
            "echoes": self.echoes,
            "statuses": self.statuses,
            "revisions": self.revisions,
            "ignored": len(self.ignored),
            "ignoredReasons": sorted(set(self.ignored)),
        }


@dataclass(frozen=True)
class Arrival:
    """When and through which inbox partition a webhook arrived."""

    at: datetime
    partition: int | None


class DuplicateMessage(Exception):
    """This provider message id is already stored for this instance."""


def build_message(
    *,
    organization_id,
    session_id,
    contact_id,
    instance_id,
    event: MessageEvent,
    direction,
    author,
    delivery_status,
    received_at=None,
) -> Message:
    """The Message row for a gateway's message event (not saved)."""
    message = Message(
        organization_id=organization_id,
        session_id=session_id,
        contact_id=contact_id,
        instance_id=instance_id,
        direction=direction,
        author=author,
        kind=event.kind,
        text=event.text,
        payload=event.payload,
        provider_message_id=event.provider_message_id,
        delivery_status=delivery_status,
        raw_payload=event.raw,
        provider_timestamp=event.timestamp,
        received_at=received_at,
    )
    if event.media is not None:
        message.media_ref = event.media.ref
        message.media_mimetype = event.media.mimetype[:120]
        message.media_filename = event.media.filename[:255]
        message.media_size = event.media.size
        message.media_duration = event.media.duration
    if author == Author.CUSTOMER:
        # A tap on buttons or a list, or an answer to a numbered menu.
        reply_apply(message)
    return message


# How the databases word a hit on message_provider_id_unique_per_instance:
# PostgreSQL names the constraint, SQLite lists its columns ("UNIQUE
# constraint failed: messaging_message.instance_id, messaging_message.
# provider_message_id"). No look-up after the error: on PostgreSQL the
# transaction is aborted until it rolls back.
_DUPLICATE_ERRORS = (
    "message_provider_id_unique_per_instance",
    ", ".join(
        f"{Message._meta.db_table}.{Message._meta.get_field(name).column}"
        for name in ("instance", "provider_message_id")
    ),
)


def message_insert(message: Message) -> None:
    """INSERT the row; ``DuplicateMessage`` if its provider id is stored already."""
    try:
        message.save(force_insert=True)
    except IntegrityError as exc:
        if any(words in str(exc) for words in _DUPLICATE_ERRORS):
            raise DuplicateMessage() from None
        raise
