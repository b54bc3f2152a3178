"""Transcription helpers: real media files, a stored media message, the task run here."""

import base64
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from messaging.media.transcription import transcribe_message
from messaging.models import Message, TranscriptionStatus
from tests.support import factories, media_files


@cache
def require_media_tools() -> None:
    """The transcription tests make and read real media: they need these tools."""
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is required by the transcription tests")


@dataclass(frozen=True)
class Media:
    speech_wav: Path
    voice_ogg: Path
    audio_3gp: Path
    video: Path
    silent_video: Path

    @property
    def speech_seconds(self) -> float:
        return media_files.duration(self.speech_wav)


def media_message(
    session, *, kind: str, data: bytes, mimetype: str, filename: str = "", **fields
) -> Message:
    """A stored inbound media message whose bytes the sandbox adapter hands back."""
    ref = {"base64": base64.b64encode(data).decode(), "mimetype": mimetype}
    if filename:
        ref["filename"] = filename
    fields.setdefault("transcription_status", TranscriptionStatus.PENDING)
    return factories.make_message(
        session,
        text="",
        kind=kind,
        media_ref=ref,
        media_mimetype=mimetype,
        media_filename=filename,
        **fields,
    )


def run_transcription(message: Message) -> Message:
    """Run the task in this process; transient failures retry at once (Celery eager retries)."""
    result = transcribe_message.apply(args=[str(message.pk)])
    if result.failed():
        raise result.result
    message.refresh_from_db()
    return message
