"""The model-answer cache: the same bytes asked the same question cost one model call.

Rows are ``TranscriptionCache`` (bytes' SHA-256, what was asked); a lease in
Django's cache lets one worker ask while the others with the same bytes wait
for its answer (``MediaBusy``). Local extraction (DOCX, text) is not cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.bulk import delete_in_batches
from transcription.config import TranscriptionConfig
from transcription.errors import MediaBusy
from transcription.models import TranscriptionCache
from transcription.results import DONE, TranscriptionResult
from transcription.routing import AUDIO, IMAGE, VIDEO
from transcription.selectors import transcription_cache_get


def transcription_cache_prune(*, batch: int = 5000) -> int:
    """Delete cached answers past ``TRANSCRIPTION_CACHE_RETENTION_DAYS``; how many."""
    cutoff = timezone.now() - timedelta(days=settings.TRANSCRIPTION_CACHE_RETENTION_DAYS)
    expired = TranscriptionCache.objects.filter(created_at__lt=cutoff)
    return delete_in_batches(expired, batch=batch)


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


def cached(
    data: bytes,
    backend: str,
    config: TranscriptionConfig,
    run: Callable[[bytes, TranscriptionConfig], TranscriptionResult],
) -> TranscriptionResult:
    """``run(data, config)``, or the answer the model gave these bytes before."""
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
