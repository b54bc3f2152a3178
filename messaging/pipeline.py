"""Seams between ingest and what follows it (transcription, turns, dispatch).

Ingest and outbound code call these after storing or changing a message,
inside the same database transaction; side effects are queued with
``transaction.on_commit`` so a rolled-back write never fires a task.
"""

from messaging.media import transcription_enqueue
from messaging.models import Message


def on_customer_message(message: Message) -> None:
    """An inbound CUSTOMER message was stored (not a duplicate)."""
    if message.is_media:
        transcription_enqueue(message)


def on_business_message(message: Message) -> None:
    """A message typed on the business phone (``fromMe``, not our API's echo) was stored."""
    if message.is_media:
        transcription_enqueue(message)


def on_transcription_finished(message_id) -> None:
    """A media message's transcription reached DONE, FAILED or SKIPPED."""


def on_message_status_changed(message: Message) -> None:
    """An outbound message's delivery status moved (SENT, DELIVERED, READ, FAILED)."""
