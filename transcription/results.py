"""What a transcription comes to, short of an error (those are in ``errors``)."""

from __future__ import annotations

from dataclasses import dataclass

DONE = "DONE"
SKIPPED = "SKIPPED"
NOT_CONFIGURED = "transcription not configured"


@dataclass(frozen=True)
class TranscriptionResult:
    status: str  # DONE | SKIPPED
    text: str = ""
    reason: str = ""  # why SKIPPED
    model: str = ""
    language: str = ""
    duration: float | None = None  # seconds of audio/video
    from_model: bool = False  # a model was asked (or its cached answer used)


class Skip(Exception):
    """Raised by a backend that has nothing to read: the result is SKIPPED with the reason."""

    def __init__(self, reason: str, *, duration: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.duration = duration
