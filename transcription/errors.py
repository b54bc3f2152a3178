"""How a transcription can fail: transient ones are retried, permanent ones are not."""

from __future__ import annotations


class TranscriptionError(Exception):
    transient = False
    counts_as_attempt = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Seconds the server asked us to wait (a 429's Retry-After), if any.
        self.retry_after = retry_after


class TransientTranscriptionError(TranscriptionError):
    """Timeouts, connection errors, 429 and 5xx: worth another try later."""

    transient = True


class PermanentTranscriptionError(TranscriptionError):
    """400s, unsupported or corrupt media: another try gives the same answer."""


class MediaBusy(TransientTranscriptionError):
    """The same bytes are with the model right now: wait for that answer (the cache)."""

    # Waiting for someone else's answer is not a failure of ours.
    counts_as_attempt = False
