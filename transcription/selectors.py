"""Reads for this app (see docs/STYLE.md)."""

from __future__ import annotations

from transcription.models import TranscriptionCache


def transcription_cache_get(*, sha256: str, variant: str) -> TranscriptionCache | None:
    """The model's earlier answer for these bytes and this question, if any."""
    return TranscriptionCache.objects.filter(sha256=sha256, variant=variant).first()
