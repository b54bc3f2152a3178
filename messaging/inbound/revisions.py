"""Edits and deletions of stored messages, as the gateways report them.

The adapters normalize every gateway's form into ``MessageEditEvent`` /
``MessageDeleteEvent`` naming the target's provider id; ingest calls the two
services below in the webhook's transaction.

- **Edit**: the message takes the new text (a caption, for media); the
  text it replaces goes to ``edit_history`` with the time it was replaced.
- **Delete** ("apagar para todos"): the message is marked ``deleted_at`` /
  ``deleted_by`` (its sender: CUSTOMER, or BUSINESS for our own messages
  deleted from the business phone). Agents and the API no longer see its
  content; the content itself is erased ``DELETED_MESSAGE_RETENTION_DAYS``
  later by ``deleted_messages_erase``.

Turns. A message still in an OPEN turn: an edit changes what the turn will
say, a deletion takes the message out of it (a turn left with no message
closes without dispatch). Either one moves the session's ``concat_seq`` and
the turn's ``last_seq`` on, exactly as a joining message does, so a worker
that read the turn's messages before this commit fails its claim and reads
them again (``messaging.turns``). A message whose turn was already
dispatched publishes ``message.updated`` (old and new text) or
``message.deleted`` to subscribed integrations, signed like every event.

Gateways retry and reorder, and Baileys reports one edit twice (the
protocol message and ``messages.update``): applying the same edit or
deletion again changes nothing and publishes nothing; an edit older than the
last one applied is ignored; an edit of a deleted message is ignored; an
edit or deletion of a message we do not have is stored nowhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.timefmt import iso_utc
from integrations.deliveries import event_publish
from integrations.models import Event
from messaging.models import (
    Author,
    CloseReason,
    Direction,
    DispatchStatus,
    Message,
    TranscriptionStatus,
    Turn,
    TurnStatus,
)
from providers.base import MessageDeleteEvent, MessageEditEvent
from providers.models import Instance
from sessions_app.models import ChatSession

EDITED = "edited"
DELETED = "deleted"
UNKNOWN = "unknown message"
UNCHANGED = "unchanged"
STALE = "older edit"
ALREADY_DELETED = "already deleted"
APPLIED = frozenset({EDITED, DELETED})

EMPTIED_REASON = "all_messages_deleted"


def revision_apply(*, instance: Instance, event: MessageEditEvent | MessageDeleteEvent) -> str:
    """Apply one normalized edit or deletion (ingest's entry point)."""
    if isinstance(event, MessageEditEvent):
        return message_apply_edit(
            instance=instance,
            provider_message_id=event.provider_message_id,
            text=event.text,
            at=event.timestamp,
        )
    return message_apply_delete(
        instance=instance, provider_message_id=event.provider_message_id, at=event.timestamp
    )


def _locked_target(instance: Instance, provider_message_id: str) -> Message | None:
    return (
        Message.objects.select_for_update()
        .filter(instance=instance, provider_message_id=provider_message_id)
        .first()
    )


def message_apply_edit(
    *, instance: Instance, provider_message_id: str, text: str, at: datetime | None
) -> str:
    """Apply an edit; returns ``EDITED`` or why nothing changed."""
    message = _locked_target(instance, provider_message_id)
    if message is None:
        return UNKNOWN
    if message.deleted_at is not None:
        return ALREADY_DELETED
    if message.text == text:
        return UNCHANGED
    now = timezone.now()
    edited_at = at or now
    if message.edited_at is not None and edited_at < message.edited_at:
        # A late copy of an earlier edit: the text it brings was replaced already.
        return STALE
    old_text = message.text
    message.edit_history = [
        *(message.edit_history or []),
        {"text": old_text, "replacedAt": iso_utc(edited_at)},
    ]
    message.text = text
    message.edited_at = edited_at
    message.save(update_fields=["text", "edit_history", "edited_at", "updated_at"])
    if message.turn_id is not None and not _touch_open_turn(message):
        _publish_if_dispatched(
            message,
            event=Event.MESSAGE_UPDATED,
            dedupe_key=f"{message.pk}:edit:{len(message.edit_history)}",
            fields={
                "oldText": old_text,
                "newText": text,
                "editedAt": iso_utc(edited_at),
            },
        )
    return EDITED


def message_apply_delete(
    *, instance: Instance, provider_message_id: str, at: datetime | None
) -> str:
    """Mark a message deleted for everyone; returns ``DELETED`` or why nothing changed."""
    message = _locked_target(instance, provider_message_id)
    if message is None:
        return UNKNOWN
    if message.deleted_at is not None:
        return ALREADY_DELETED
    message.deleted_at = at or timezone.now()
    # Only a message's sender can delete it for everyone.
    message.deleted_by = (
        Author.CUSTOMER if message.direction == Direction.INBOUND else Author.BUSINESS
    )
    fields = ["deleted_at", "deleted_by", "updated_at"]
    if message.transcription_status == TranscriptionStatus.PENDING:
        # Not worth a model call any more (the row lock keeps a worker's claim out).
        message.transcription_status = TranscriptionStatus.SKIPPED
        message.transcription_error = "The message was deleted by its sender."
        fields += ["transcription_status", "transcription_error"]
    message.save(update_fields=fields)
    if message.turn_id is not None and not _leave_open_turn(message):
        _publish_if_dispatched(
            message,
            event=Event.MESSAGE_DELETED,
            dedupe_key=f"{message.pk}:deleted",
            fields={"deletedAt": iso_utc(message.deleted_at), "deletedBy": message.deleted_by},
        )
    return DELETED


# --- the open turn -----------------------------------------------------------------


def _next_seq_if_open(message: Message) -> int | None:
    """Move the session's sequence on, only while the message's turn is open;
    the new sequence number, or None (the turn had closed).

    A bump with no open turn to follow it would leave the session's next
    open turn behind its sequence, and that turn could never close. The row
    lock on the session comes first, as for a joining message
    (messaging.turns); the UPDATE keeps it to the end of the webhook's
    transaction, so the read that follows sees this bump and no other.
    """
    open_turn = Turn.objects.filter(pk=message.turn_id, status=TurnStatus.OPEN)
    bumped = ChatSession.objects.filter(
        pk=message.session_id, id__in=open_turn.values("session_id")
    ).update(concat_seq=F("concat_seq") + 1)
    if not bumped:
        return None
    return ChatSession.objects.values_list("concat_seq", flat=True).get(pk=message.session_id)


def _touch_open_turn(message: Message) -> bool:
    """The message's turn is still open: make its closer read it again. True if so."""
    seq = _next_seq_if_open(message)
    if seq is None:
        return False
    # The closer may have claimed the turn meanwhile (this waited on its row lock).
    return bool(
        Turn.objects.filter(pk=message.turn_id, status=TurnStatus.OPEN).update(last_seq=seq)
    )


def _leave_open_turn(message: Message) -> bool:
    """Take the message out of its open turn (closing the turn if that empties
    it). True if the turn was open; False if it had closed already."""
    seq = _next_seq_if_open(message)
    if seq is None:
        return False
    left = Turn.objects.filter(pk=message.turn_id, status=TurnStatus.OPEN).update(
        last_seq=seq, messages_count=F("messages_count") - 1
    )
    if not left:
        return False
    turn_id = message.turn_id
    Message.objects.filter(pk=message.pk).update(turn=None)
    message.turn_id = None
    if not Message.objects.filter(turn_id=turn_id).exists():
        Turn.objects.filter(pk=turn_id, status=TurnStatus.OPEN).update(
            status=TurnStatus.CLOSED,
            closed_at=timezone.now(),
            close_reason=CloseReason.EMPTIED,
            messages_count=0,
            dispatch_status=DispatchStatus.SKIPPED,
            dispatch_reason=EMPTIED_REASON,
        )
    return True


# --- integrations -------------------------------------------------------------------


def _publish_if_dispatched(message: Message, *, event: str, dedupe_key: str, fields: dict):
    """What the AI platform was given has changed: tell the integrations subscribed."""
    dispatched = Turn.objects.filter(
        pk=message.turn_id, dispatch_status=DispatchStatus.DISPATCHED
    ).exists()
    if not dispatched:
        return
    event_publish(
        organization=message.organization_id,
        event=event,
        payload={"message": {**message_revision_ref(message), **fields}},
        dedupe_key=dedupe_key,
    )


def message_revision_ref(message: Message) -> dict:
    return {
        "id": str(message.id),
        "sessionId": str(message.session_id),
        "contactId": str(message.contact_id),
        "turnId": str(message.turn_id) if message.turn_id else None,
        "providerMessageId": message.provider_message_id,
        "kind": message.kind,
        "author": message.author,
    }


# --- retention ----------------------------------------------------------------------


def deleted_messages_erase_content(*, older_than: timedelta, batch: int = 500) -> int:
    """Erase the content of messages deleted longer ago than ``older_than``.

    The row stays (the conversation shows "apagada" where it was); its text,
    earlier versions, transcription, payload, raw payload and media go.
    Returns how many messages were erased.
    """
    cutoff = timezone.now() - older_than
    erased = 0
    while True:
        with transaction.atomic():
            ids = list(
                Message.objects.filter(deleted_at__lt=cutoff, content_erased_at__isnull=True)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return erased
            for message in Message.objects.filter(pk__in=ids).exclude(media_file=""):
                # The file goes after the commit: a rolled-back erase keeps it.
                name, storage = message.media_file.name, message.media_file.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
            erased += Message.objects.filter(pk__in=ids).update(
                text="",
                edit_history=[],
                transcription="",
                payload={},
                raw_payload={},
                media_ref={},
                media_file="",
                content_erased_at=timezone.now(),
            )


@shared_task(
    name="messaging.revisions.deleted_messages_erase",
    ignore_result=True,
    time_limit=600,
    soft_time_limit=570,
)
def deleted_messages_erase() -> int:
    """Beat (daily): erase deleted messages' content past the retention."""
    return deleted_messages_erase_content(
        older_than=timedelta(days=settings.DELETED_MESSAGE_RETENTION_DAYS)
    )
