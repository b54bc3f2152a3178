"""Media bytes in, text out: one backend per kind of media.

- audio / voice: OpenAI audio transcription (converted with ffmpeg when the
  API does not take the format, e.g. AMR or 3GP);
- video: ffmpeg extracts the audio track (mono, 16 kHz), then as audio;
- image / sticker: a vision model describes it and transcribes visible text;
- PDF: the text layer (pypdf); scanned PDFs send their page images to the
  vision model; DOCX: python-docx, tables included; text/CSV: decoded.

Nothing here knows about messages or sessions (see messaging/media/).
This module is the entry point; the jobs behind it have a module each:
``config`` (what is asked), ``routing`` (which backend), ``backends``,
``openai_api`` (the model calls), ``answer_cache``, ``results`` and ``errors``.
Outcomes: a ``TranscriptionResult`` (DONE or SKIPPED with a reason), or a
``TransientTranscriptionError`` / ``PermanentTranscriptionError``.
"""

from __future__ import annotations

import time
from pathlib import Path

from core import metrics
from transcription.answer_cache import cached
from transcription.backends import BACKENDS
from transcription.config import TranscriptionConfig
from transcription.errors import PermanentTranscriptionError, TransientTranscriptionError
from transcription.results import DONE, SKIPPED, Skip, TranscriptionResult
from transcription.routing import DOCX, TEXT, backend_for


def transcribe(
    *,
    data: bytes,
    kind: str,
    config: TranscriptionConfig,
    mimetype: str = "",
    filename: str = "",
    use_cache: bool = True,
) -> TranscriptionResult:
    """Turn media bytes into text; raises Transient-/PermanentTranscriptionError."""
    started = time.monotonic()
    outcome = "permanent_error"
    try:
        result = _transcribe(
            data=data,
            kind=kind,
            config=config,
            mimetype=mimetype,
            filename=filename,
            use_cache=use_cache,
        )
        outcome = result.status.lower()
    except TransientTranscriptionError:
        outcome = "transient_error"
        raise
    finally:
        metrics.TRANSCRIPTIONS.labels(kind, outcome).inc()
        metrics.TRANSCRIPTION_SECONDS.labels(kind).observe(time.monotonic() - started)
    if result.status == DONE:
        metrics.TRANSCRIPTION_MEDIA_BYTES.labels(kind).inc(len(data))
        if result.duration:
            metrics.TRANSCRIPTION_MEDIA_SECONDS.labels(kind).inc(result.duration)
    return result


def _transcribe(
    *,
    data: bytes,
    kind: str,
    config: TranscriptionConfig,
    mimetype: str,
    filename: str,
    use_cache: bool,
) -> TranscriptionResult:
    backend = backend_for(kind=kind, mimetype=mimetype, filename=filename, data=data)
    if not backend:
        described = mimetype or Path(filename).suffix or "unknown type"
        return TranscriptionResult(status=SKIPPED, reason=f"unsupported {kind} ({described})")
    if not data:
        raise PermanentTranscriptionError("the media is empty")
    run = BACKENDS[backend]
    try:
        if backend in (TEXT, DOCX):
            return run(data, config)
        # Only model answers are cached: local extraction is cheaper than a lookup.
        return cached(data, backend, config, run) if use_cache else run(data, config)
    except Skip as skip:
        return TranscriptionResult(status=SKIPPED, reason=skip.reason, duration=skip.duration)
