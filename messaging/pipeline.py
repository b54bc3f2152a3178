"""Seams between ingest and what follows it (transcription, turns, dispatch).

Ingest and outbound code call these after storing or changing a message,
inside the same database transaction; side effects are queued with
``transaction.on_commit`` so a rolled-back write never fires a task.
"""

from messaging.media import transcription_enqueue
from messaging.models import Message


def on_customer_message(message: Message, *, inbox_partition: int | None = None) -> None:
    """An inbound CUSTOMER message was stored (not a duplicate).
    ``inbox_partition``: the webhook inbox partition it came through."""
    from messaging.turns import turn_add_message

    if message.is_media:
        transcription_enqueue(message)
    turn_add_message(message, inbox_partition=inbox_partition)


def on_business_message(message: Message) -> None:
    """A message typed on the business phone (``fromMe``, not our API's echo) was stored.

    An agent's ``@command`` acts on the session; anything else means a human
    is talking to the customer, so the AI steps back (takeover).
    """
    from messaging.commands import command_apply, command_parse
    from sessions_app.services import session_takeover

    command = command_parse(message.text) if not message.is_media else None
    if command is not None:
        command_apply(message=message, command=command)
        return
    if message.is_media:
        transcription_enqueue(message)
    session_takeover(
        session=message.session, actor="phone", reason="A message was typed on the business phone."
    )


def on_transcription_finished(message_id) -> None:
    """A media message's transcription reached DONE, FAILED or SKIPPED."""
    from messaging.turns import turn_nudge_after_transcription

    turn_nudge_after_transcription(message_id)


def on_message_status_changed(message: Message) -> None:
    """An outbound message's delivery status moved (SENT, DELIVERED, READ, FAILED)."""
    from messaging.dispatch import message_status_publish

    message_status_publish(message)
