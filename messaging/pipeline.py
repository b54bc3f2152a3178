"""Seams between ingest and what follows it (transcription, turns, dispatch).

Ingest and outbound code call these after storing or changing a message,
inside the same database transaction (a drain after each batch); side
effects are queued with ``transaction.on_commit`` so a rolled-back write
never fires a task. ``messaging.inbound`` reaches turns only through here,
so turns can ask the inbox whether it has caught up
(``messaging.inbound.watermark``) without a cycle between the two packages.
A finished transcription nudges its turn itself
(``messaging.media.transcription`` → ``turn_nudge_after_transcription``).
"""

from messaging.inbound.commands import command_apply, command_parse
from messaging.media.transcription import transcription_enqueue
from messaging.models import Message
from messaging.turns.arrival import turn_add_message, turns_assign
from messaging.turns.close import turns_close_caught_up
from messaging.turns.dispatch import message_status_publish
from sessions_app.services.ai_block import session_takeover


def on_customer_message(message: Message, *, inbox_partition: int | None = None) -> None:
    """An inbound CUSTOMER message was stored (not a duplicate).
    ``inbox_partition``: the webhook inbox partition it came through."""
    if message.is_media:
        transcription_enqueue(message)
    turn_add_message(message, inbox_partition=inbox_partition)


def on_customer_messages(messages: list[Message], *, inbox_partition: int, insert) -> None:
    """A drain's batch of plain customer texts (no media), stored by ``insert``
    once their turns are known (``turns_assign``)."""
    turns_assign(messages, inbox_partition=inbox_partition, insert=insert)


def on_partition_ingested(instance_id, partition: int) -> None:
    """A drain ingested a batch of the partition (or found none): the turns
    that were waiting for those webhooks can close."""
    turns_close_caught_up(instance_id, partition)


def on_business_message(message: Message) -> None:
    """A message typed on the business phone (``fromMe``, not our API's echo) was stored.

    An agent's ``@command`` acts on the session; anything else means a human
    is talking to the customer, so the AI steps back (takeover).
    """
    command = command_parse(message.text) if not message.is_media else None
    if command is not None:
        command_apply(message=message, command=command)
        return
    if message.is_media:
        transcription_enqueue(message)
    session_takeover(
        session=message.session, actor="phone", reason="A message was typed on the business phone."
    )


def on_message_status_changed(message: Message) -> None:
    """An outbound message's delivery status moved (SENT, DELIVERED, READ, FAILED)."""
    message_status_publish(message)
