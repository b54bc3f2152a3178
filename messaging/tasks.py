"""Celery discovers tasks here; each task lives with the code it drives."""

from messaging.inbound.revisions import deleted_messages_erase  # noqa: F401
from messaging.inbound.tasks import inbox_cleanup, inbox_drain, inbox_requeue_lost  # noqa: F401
from messaging.media.transcription import transcribe_message  # noqa: F401
from messaging.outbound.sending import send_message  # noqa: F401
from messaging.turns.close import turn_due, turns_close_after_door, turns_close_batch  # noqa: F401
from messaging.turns.sweeper import turns_sweep_lost_windows  # noqa: F401
