"""Media messages → transcription: the Celery task and its enqueueing."""

from celery import shared_task
from django.db import transaction

from messaging.models import Message, TranscriptionStatus


def transcription_enqueue(message: Message) -> None:
    """Mark a media message PENDING and queue its transcription after commit."""
    Message.objects.filter(pk=message.pk).update(transcription_status=TranscriptionStatus.PENDING)
    message.transcription_status = TranscriptionStatus.PENDING
    message_id = str(message.pk)
    transaction.on_commit(lambda: transcribe_message.delay(message_id))


@shared_task(ignore_result=True, time_limit=600, soft_time_limit=570)
def transcribe_message(message_id: str) -> None:
    """Download the media through the instance's adapter and turn it into text."""
