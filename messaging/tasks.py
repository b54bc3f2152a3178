"""Celery discovers tasks here; each task lives with the code it drives."""

from messaging.media import transcribe_message  # noqa: F401
