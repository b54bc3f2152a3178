"""The backends: one per kind of media, bytes and config in, a result out.

Audio and video go through ffmpeg (``media_tools``) to OpenAI's audio
transcription; images, stickers and scanned PDFs to the vision model;
PDF text layers, DOCX and plain text are read locally (``documents``).
Routing is ``routing.backend_for``; the cache around them is ``answer_cache``.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from transcription import documents, media_tools
from transcription.config import TranscriptionConfig
from transcription.errors import PermanentTranscriptionError
from transcription.openai_api import describe_images, transcribe_audio_file
from transcription.results import DONE, NOT_CONFIGURED, Skip, TranscriptionResult
from transcription.routing import AUDIO, DOCX, IMAGE, PDF, TEXT, VIDEO

# Whisper uploads are capped at 25 MB; bigger files are re-encoded smaller.
OPENAI_AUDIO_UPLOAD_LIMIT = 25 * 1024 * 1024
# Longest side of an image we send; the API downsizes to this anyway.
VISION_MAX_SIDE = 2048


@contextmanager
def _workdir(config: TranscriptionConfig):
    """A private temporary folder, removed however the backend ends."""
    with tempfile.TemporaryDirectory(prefix="atende-transcription-", dir=config.tmp_dir) as path:
        yield Path(path)


def _require_model(config: TranscriptionConfig, duration: float | None = None) -> None:
    if not config.configured:
        raise Skip(NOT_CONFIGURED, duration=duration)


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
    text, language = transcribe_audio_file(upload, upload.name, config)
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
            raise Skip("the video has no audio track", duration=info.duration)
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
    text = describe_images([image], config.image_prompt, config)
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
        raise Skip("the PDF has no text layer and no page images")
    _require_model(config)
    prepared = [_image_for_vision(image) for image in images]
    text = describe_images(prepared, config.pdf_prompt, config)
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
        raise Skip("the document has no text")
    return TranscriptionResult(
        status=DONE, text=_limit(text, config.max_chars, []), model="python-docx"
    )


def _text_backend(data: bytes, config: TranscriptionConfig) -> TranscriptionResult:
    text = documents.decode_text(data).strip()
    if not text:
        raise Skip("the file is empty")
    return TranscriptionResult(status=DONE, text=_limit(text, config.max_chars, []), model="text")


BACKENDS: dict[str, Callable[[bytes, TranscriptionConfig], TranscriptionResult]] = {
    AUDIO: _audio_backend,
    VIDEO: _video_backend,
    IMAGE: _image_backend,
    PDF: _pdf_backend,
    DOCX: _docx_backend,
    TEXT: _text_backend,
}
