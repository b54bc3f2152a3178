"""Seams between ingest and what follows it (transcription, turns, dispatch).

The ingest and outbound code call these after storing a message, inside the
same database transaction; side effects are queued with
``transaction.on_commit`` so a rolled-back write never fires a task.
"""

from messaging.models import Message


def on_customer_message(message: Message) -> None:
    """An inbound CUSTOMER message was stored (not a duplicate)."""


def on_business_message(message: Message) -> None:
    """A message typed on the business phone (``fromMe``, not our API's echo) was stored."""


def on_transcription_finished(message_id) -> None:
    """A media message's transcription reached DONE, FAILED or SKIPPED."""
