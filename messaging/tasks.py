"""Celery discovers tasks here; each task lives with the code it drives."""

from messaging.inbox import inbox_cleanup, inbox_process, inbox_requeue_lost  # noqa: F401
from messaging.media import transcribe_message  # noqa: F401
from messaging.outbound import send_message  # noqa: F401
from messaging.revisions import deleted_messages_erase  # noqa: F401
from messaging.turns import turn_due, turns_sweep_lost_windows  # noqa: F401
