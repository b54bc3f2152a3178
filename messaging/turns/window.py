"""A turn's window: how long a burst stays open, and when and why it closes."""

from datetime import timedelta

from django.conf import settings

from messaging.models import CloseReason, TranscriptionStatus

WINDOW_MIN_SECONDS = 1
WINDOW_MAX_SECONDS = 60
# While media in a closing turn is still transcribing, check again this often
# (a finished transcription also nudges the close directly).
MEDIA_POLL_SECONDS = 2
TRANSCRIPTION_UNFINISHED = (TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING)


def window_seconds(session_window: int | None) -> int:
    return max(WINDOW_MIN_SECONDS, min(WINDOW_MAX_SECONDS, session_window or 8))


def turn_close_at(
    first_message_at, last_message_at, count: int, session_window
) -> tuple[object, CloseReason]:
    """When an open turn closes, and why."""
    if count >= settings.CONCAT_MAX_MESSAGES:
        return first_message_at, CloseReason.MAX_MESSAGES
    window_end = last_message_at + timedelta(seconds=window_seconds(session_window))
    max_wait_end = first_message_at + timedelta(seconds=settings.CONCAT_MAX_WAIT_SECONDS)
    if max_wait_end < window_end:
        return max_wait_end, CloseReason.MAX_WAIT
    return window_end, CloseReason.WINDOW
