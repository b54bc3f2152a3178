"""Media bytes in, text out: one backend per kind of media.

- audio / voice: OpenAI audio transcription (converted with ffmpeg when the
  API does not take the format, e.g. AMR or 3GP);
- video: ffmpeg extracts the audio track (mono, 16 kHz), then as audio;
- image / sticker: a vision model describes it and transcribes visible text;
- PDF: the text layer (pypdf); scanned PDFs send their page images to the
  vision model; DOCX: python-docx, tables included; text/CSV: decoded.

Nothing here knows about messages or sessions (see messaging/media/).
Outcomes: a ``TranscriptionResult`` (DONE or SKIPPED with a reason), or a
``TransientTranscriptionError`` / ``PermanentTranscriptionError``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import openai
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import metrics
from transcription import documents, media_tools
from transcription.errors import (
    MediaBusy,
    PermanentTranscriptionError,
    TranscriptionError,
    TransientTranscriptionError,
)
from transcription.models import TranscriptionCache
from transcription.selectors import transcription_cache_get

__all__ = [
    "DONE",
    "SKIPPED",
    "MediaBusy",
    "NOT_CONFIGURED",
    "PermanentTranscriptionError",
    "TranscriptionConfig",
    "TranscriptionError",
    "TranscriptionResult",
    "TransientTranscriptionError",
    "backend_for",
    "transcribe",
    "transcription_config",
]

logger = logging.getLogger(__name__)

DONE = "DONE"
SKIPPED = "SKIPPED"
NOT_CONFIGURED = "transcription not configured"

# Whisper uploads are capped at 25 MB; bigger files are re-encoded smaller.
OPENAI_AUDIO_UPLOAD_LIMIT = 25 * 1024 * 1024
# Longest side of an image we send; the API downsizes to this anyway.
VISION_MAX_SIDE = 2048

# Organization.transcription_settings keys → TranscriptionConfig fields.
ORGANIZATION_OVERRIDES = {
    "audioModel": "audio_model",
    "visionModel": "vision_model",
    "audioPrompt": "audio_prompt",
    "imagePrompt": "image_prompt",
    "pdfPrompt": "pdf_prompt",
}


@dataclass(frozen=True)
class TranscriptionConfig:
    api_key: str = ""
    base_url: str = ""
    audio_model: str = "whisper-1"
    vision_model: str = "gpt-4o-mini"
    language: str = "pt"
    audio_prompt: str = ""
    image_prompt: str = ""
    pdf_prompt: str = ""
    vision_max_tokens: int = 1000
    request_timeout: float = 240
    ffmpeg_timeout: float = 180
    pdf_max_pages: int = 50
    pdf_vision_max_pages: int = 5
    max_chars: int = 20000
    tmp_dir: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    @property
    def language_hint(self) -> str:
        """ISO-639-1 code for the API ("pt-BR" → "pt"); empty or "auto" lets the model detect."""
        code = (self.language or "").split("-")[0].split("_")[0].lower()
        return "" if code in ("", "auto") else code


def transcription_config(
    *, language: str = "", overrides: dict | None = None
) -> TranscriptionConfig:
    """Settings, with an organization's language and ``transcription_settings`` on top."""
    config = TranscriptionConfig(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
        audio_model=settings.TRANSCRIPTION_AUDIO_MODEL,
        vision_model=settings.TRANSCRIPTION_VISION_MODEL,
        language=language or "pt",
        audio_prompt=settings.TRANSCRIPTION_AUDIO_PROMPT,
        image_prompt=settings.TRANSCRIPTION_IMAGE_PROMPT,
        pdf_prompt=settings.TRANSCRIPTION_PDF_PROMPT,
        vision_max_tokens=settings.TRANSCRIPTION_VISION_MAX_TOKENS,
        request_timeout=settings.TRANSCRIPTION_REQUEST_TIMEOUT,
        ffmpeg_timeout=settings.TRANSCRIPTION_FFMPEG_TIMEOUT,
        pdf_max_pages=settings.TRANSCRIPTION_PDF_MAX_PAGES,
        pdf_vision_max_pages=settings.TRANSCRIPTION_PDF_VISION_MAX_PAGES,
        max_chars=settings.TRANSCRIPTION_MAX_CHARS,
        tmp_dir=settings.TRANSCRIPTION_TMP_DIR,
    )
    changes = {
        field: str(value)
        for key, field in ORGANIZATION_OVERRIDES.items()
        if isinstance(value := (overrides or {}).get(key), str) and value.strip()
    }
    return replace(config, **changes)


@dataclass(frozen=True)
class TranscriptionResult:
    status: str  # DONE | SKIPPED
    text: str = ""
    reason: str = ""  # why SKIPPED
    model: str = ""
    language: str = ""
    duration: float | None = None  # seconds of audio/video
    from_model: bool = False  # a model was asked (or its cached answer used)


class _Skip(Exception):
    def __init__(self, reason: str, *, duration: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.duration = duration


# --- routing -------------------------------------------------------------------

AUDIO, VIDEO, IMAGE, PDF, DOCX, TEXT = "audio", "video", "image", "pdf", "docx", "text"
TEXT_MIMETYPES = {"application/csv", "application/x-csv", "application/json"}
TEXT_EXTENSIONS = {".txt", ".csv", ".tsv", ".md", ".log", ".json"}
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def backend_for(*, kind: str, mimetype: str = "", filename: str = "", data: bytes = b"") -> str:
    """Which backend handles this media; "" when none does."""
    if kind in ("audio", "voice"):
        return AUDIO
    if kind == "video":
        return VIDEO
    if kind in ("image", "sticker"):
        return IMAGE
    if kind != "document":
        return ""
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    extension = Path(filename or "").suffix.lower()
    # Content first: gateways send "application/octet-stream" for half of everything.
    if data.startswith(b"%PDF-"):
        return PDF
    if documents.is_docx(data):
        return DOCX
    if mimetype == "application/pdf" or extension == ".pdf":
        return PDF
    if mimetype == DOCX_MIMETYPE or extension == ".docx":
        return DOCX
    if mimetype.startswith("text/") or mimetype in TEXT_MIMETYPES or extension in TEXT_EXTENSIONS:
        return TEXT
    # A song or photo sent "as a document" is still audio or an image.
    for prefix, backend in (("audio/", AUDIO), ("video/", VIDEO), ("image/", IMAGE)):
        if mimetype.startswith(prefix):
            return backend
    return ""


def needs_model(backend: str) -> bool:
    """PDF only needs the model for scanned files; that is decided once it is read."""
    return backend in (AUDIO, VIDEO, IMAGE)


# --- entry point ---------------------------------------------------------------


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
    run = _BACKENDS[backend]
    try:
        if backend in (TEXT, DOCX):
            return run(data, config)
        # Only model answers are cached: local extraction is cheaper than a lookup.
        return _cached(data, backend, config, run) if use_cache else run(data, config)
    except _Skip as skip:
        return TranscriptionResult(status=SKIPPED, reason=skip.reason, duration=skip.duration)


def transcription_cache_prune(*, batch: int = 5000) -> int:
    """Delete cached answers past ``TRANSCRIPTION_CACHE_RETENTION_DAYS``; how many."""
    cutoff = timezone.now() - timedelta(days=settings.TRANSCRIPTION_CACHE_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            TranscriptionCache.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[
                :batch
            ]
        )
        if not ids:
            return deleted
        deleted += TranscriptionCache.objects.filter(pk__in=ids).delete()[0]


def _variant(backend: str, config: TranscriptionConfig) -> str:
    """What was asked of the model, so a new model or prompt is not served old answers."""
    if backend in (AUDIO, VIDEO):
        parts = [backend, config.audio_model, config.language_hint, config.audio_prompt]
    elif backend == IMAGE:
        parts = [backend, config.vision_model, config.image_prompt]
    else:
        parts = [
            backend,
            config.vision_model,
            config.pdf_prompt,
            str(config.pdf_max_pages),
            str(config.pdf_vision_max_pages),
            str(config.max_chars),
        ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _cached(
    data: bytes,
    backend: str,
    config: TranscriptionConfig,
    run: Callable[[bytes, TranscriptionConfig], TranscriptionResult],
) -> TranscriptionResult:
    sha256 = hashlib.sha256(data).hexdigest()
    variant = _variant(backend, config)
    hit = transcription_cache_get(sha256=sha256, variant=variant)
    if hit is not None:
        return TranscriptionResult(
            status=DONE,
            text=hit.text,
            model=hit.model,
            language=hit.language,
            duration=hit.duration,
            from_model=True,
        )
    # The same file forwarded to many chats arrives together: one worker asks
    # the model, the others retry shortly and find its answer in the cache.
    lease = f"transcription:lease:{sha256}:{variant}"
    if not cache.add(lease, 1, timeout=_lease_seconds(config)):
        raise MediaBusy("the same media is being transcribed right now", retry_after=5)
    try:
        result = run(data, config)
    finally:
        cache.delete(lease)
    if result.status == DONE and result.from_model:
        # Two workers may finish the same bytes together: the unique key
        # keeps one row and get_or_create returns it to the loser.
        TranscriptionCache.objects.get_or_create(
            sha256=sha256,
            variant=variant,
            defaults={
                "text": result.text,
                "model": result.model,
                "language": result.language,
                "duration": result.duration,
            },
        )
    return result


def _lease_seconds(config: TranscriptionConfig) -> int:
    """Long enough for one run; a crashed holder's lease expires on its own."""
    return int(config.request_timeout + 2 * config.ffmpeg_timeout + 60)


# --- OpenAI --------------------------------------------------------------------


def _client(config: TranscriptionConfig):
    # max_retries=0: retries are the task's, with backoff and a cap we control.
    return openai.OpenAI(
        api_key=config.api_key,
        base_url=config.base_url or None,
        max_retries=0,
        timeout=config.request_timeout,
    )


def _retry_after(exc) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _call_openai(call: Callable[[], object], *, operation: str):
    outcome = "permanent_error"
    try:
        response = call()
        outcome = "ok"
        return response
    except openai.APIConnectionError as exc:  # includes APITimeoutError
        outcome = "transient_error"
        raise TransientTranscriptionError(f"OpenAI unreachable: {exc}") from None
    except openai.APIStatusError as exc:
        detail = _error_detail(exc)
        message = f"OpenAI answered {exc.status_code}: {detail}"
        if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
            outcome = "transient_error"
            raise TransientTranscriptionError(message, retry_after=_retry_after(exc)) from None
        raise PermanentTranscriptionError(message) from None
    except openai.OpenAIError as exc:
        raise PermanentTranscriptionError(f"OpenAI client error: {exc}") from None
    finally:
        metrics.OPENAI_REQUESTS.labels(operation, outcome).inc()


def _error_detail(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
    return str(getattr(exc, "message", exc))[:300]


def _transcribe_audio_file(
    path: Path, upload_name: str, config: TranscriptionConfig
) -> tuple[str, str]:
    client = _client(config)
    kwargs = {"model": config.audio_model, "response_format": "json"}
    if config.language_hint:
        kwargs["language"] = config.language_hint
    if config.audio_prompt:
        kwargs["prompt"] = config.audio_prompt
    with path.open("rb") as upload:
        response = _call_openai(
            lambda: client.audio.transcriptions.create(file=(upload_name, upload), **kwargs),
            operation="audio_transcription",
        )
    text = response if isinstance(response, str) else getattr(response, "text", "")
    return (text or "").strip(), config.language_hint


def _describe_images(images: list[tuple[bytes, str]], prompt: str, config) -> str:
    client = _client(config)
    content: list[dict] = [{"type": "text", "text": prompt}]
    for data, mimetype in images:
        url = f"data:{mimetype};base64,{base64.b64encode(data).decode()}"
        content.append({"type": "image_url", "image_url": {"url": url, "detail": "auto"}})
    response = _call_openai(
        lambda: client.chat.completions.create(
            model=config.vision_model,
            messages=[{"role": "user", "content": content}],
            max_completion_tokens=config.vision_max_tokens,
        ),
        operation="vision",
    )
    choices = getattr(response, "choices", None) or []
    text = (choices[0].message.content or "").strip() if choices else ""
    if not text:
        reason = choices[0].finish_reason if choices else "no choices"
        raise PermanentTranscriptionError(f"the vision model returned no text ({reason})")
    return text


# --- backends --------------------------------------------------------------------


@contextmanager
def _workdir(config: TranscriptionConfig):
    """A private temporary folder, removed however the backend ends."""
    with tempfile.TemporaryDirectory(prefix="atende-transcription-", dir=config.tmp_dir) as path:
        yield Path(path)


def _require_model(config: TranscriptionConfig, duration: float | None = None) -> None:
    if not config.configured:
        raise _Skip(NOT_CONFIGURED, duration=duration)


def _probed_input(workdir: Path, data: bytes, config: TranscriptionConfig):
    """The media written to the work folder, and what ffprobe says of it."""
    source = workdir / "input"
    source.write_bytes(data)
    return source, media_tools.probe(source, timeout=config.ffmpeg_timeout)


def _transcribe_upload(
    upload: Path, config: TranscriptionConfig, duration: float | None
) -> TranscriptionResult:
    if upload.stat().st_size > OPENAI_AUDIO_UPLOAD_LIMIT:
        raise PermanentTranscriptionError("the audio is too long to transcribe in one request")
    text, language = _transcribe_audio_file(upload, upload.name, config)
    return TranscriptionResult(
        status=DONE,
        text=text,
        model=config.audio_model,
        language=language,
        duration=duration,
        from_model=True,
    )


def _audio_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    with _workdir(config) as workdir:
        source, info = _probed_input(workdir, data, config)
        if not info.has_audio:
            raise PermanentTranscriptionError("the file has no audio stream")
        _require_model(config, info.duration)
        extension = info.upload_extension()
        if extension is None or source.stat().st_size > OPENAI_AUDIO_UPLOAD_LIMIT:
            # A format OpenAI refuses, or too big as it is: mono MP3.
            upload = workdir / "audio.mp3"
            media_tools.extract_audio(source, upload, timeout=config.ffmpeg_timeout)
        else:
            upload = workdir / f"audio.{extension}"
            source.rename(upload)
        return _transcribe_upload(upload, config, info.duration)


def _video_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    with _workdir(config) as workdir:
        source, info = _probed_input(workdir, data, config)
        if not info.has_audio:
            raise _Skip("the video has no audio track", duration=info.duration)
        _require_model(config, info.duration)
        # Always extract: the video stream is dead weight in the upload. The
        # MP3 is what OpenAI takes; nothing to probe or convert again.
        upload = workdir / "audio.mp3"
        media_tools.extract_audio(source, upload, timeout=config.ffmpeg_timeout)
        return _transcribe_upload(upload, config, info.duration)


def _image_for_vision(data: bytes) -> tuple[bytes, str]:
    """PNG/JPEG/static WebP/GIF as they are; anything else (animated stickers, BMP, TIFF) → PNG."""
    # Pillow is loaded by no other path: only a process that converts an
    # image for the vision model pays for importing it.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = (image.format or "").upper()
            animated = getattr(image, "is_animated", False)
            small = max(image.size) <= VISION_MAX_SIDE
            if small and not animated and fmt in ("PNG", "JPEG", "WEBP", "GIF"):
                return data, f"image/{fmt.lower()}"
            image.seek(0)  # first frame of an animation
            frame = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            frame.thumbnail((VISION_MAX_SIDE, VISION_MAX_SIDE))
            out = io.BytesIO()
            frame.save(out, format="PNG", optimize=True)
            return out.getvalue(), "image/png"
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise PermanentTranscriptionError(f"unreadable or unsupported image ({exc})") from None


def _image_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    image = _image_for_vision(data)  # a corrupt file fails even without a key
    _require_model(config)
    text = _describe_images([image], config.image_prompt, config)
    return TranscriptionResult(
        status=DONE,
        text=text,
        model=config.vision_model,
        language=config.language_hint,
        from_model=True,
    )


def _limit(text: str, max_chars: int, notes: list[str]) -> str:
    if len(text) > max_chars:
        notes.append(f"first {max_chars} characters")
        text = text[:max_chars].rstrip()
    if notes:
        text = f"{text}\n\n[truncated: {'; '.join(notes)}]"
    return text


def _pdf_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    extracted = documents.pdf_text(data, max_pages=config.pdf_max_pages)
    if documents.has_text_layer(extracted.text):
        notes = []
        if extracted.pages_total > extracted.pages_read:
            notes.append(f"first {extracted.pages_read} of {extracted.pages_total} pages")
        return TranscriptionResult(
            status=DONE, text=_limit(extracted.text, config.max_chars, notes), model="pypdf"
        )
    images, pages_seen = documents.pdf_page_images(
        data,
        max_pages=config.pdf_vision_max_pages,
        tmp_dir=config.tmp_dir,
        timeout=config.ffmpeg_timeout,
    )
    if not images:
        raise _Skip("the PDF has no text layer and no page images")
    _require_model(config)
    prepared = [_image_for_vision(image) for image in images]
    text = _describe_images(prepared, config.pdf_prompt, config)
    notes = []
    if extracted.pages_total > pages_seen:
        notes.append(f"first {pages_seen} of {extracted.pages_total} pages")
    return TranscriptionResult(
        status=DONE,
        text=_limit(text, config.max_chars, notes),
        model=config.vision_model,
        language=config.language_hint,
        from_model=True,
    )


def _docx_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    text = documents.docx_text(data)
    if not text.strip():
        raise _Skip("the document has no text")
    return TranscriptionResult(
        status=DONE, text=_limit(text, config.max_chars, []), model="python-docx"
    )


def _text_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    text = documents.decode_text(data).strip()
    if not text:
        raise _Skip("the file is empty")
    return TranscriptionResult(status=DONE, text=_limit(text, config.max_chars, []), model="text")


_BACKENDS: dict[str, Callable[[bytes, TranscriptionConfig], TranscriptionResult]] = {
    AUDIO: _audio_backend,
    VIDEO: _video_backend,
    IMAGE: _image_backend,
    PDF: _pdf_backend,
    DOCX: _docx_backend,
    TEXT: _text_backend,
}
