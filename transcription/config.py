"""What a transcription asks of the models: settings, with an organization's on top."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings

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
