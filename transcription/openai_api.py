"""The OpenAI calls (audio transcription, vision) and how their failures map to ours.

Connection errors, timeouts, 408, 409, 429 and 5xx are transient (the task
retries them); any other answer or client error is permanent.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from core import metrics
from core.openai_sdk import openai_sdk
from transcription.config import TranscriptionConfig
from transcription.errors import PermanentTranscriptionError, TransientTranscriptionError


def _client(config: TranscriptionConfig):
    # max_retries=0: retries are the task's, with backoff and a cap we control.
    return openai_sdk().OpenAI(
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
    sdk = openai_sdk()
    try:
        response = call()
        outcome = "ok"
        return response
    except sdk.APIConnectionError as exc:  # includes APITimeoutError
        outcome = "transient_error"
        raise TransientTranscriptionError(f"OpenAI unreachable: {exc}") from None
    except sdk.APIStatusError as exc:
        detail = _error_detail(exc)
        message = f"OpenAI answered {exc.status_code}: {detail}"
        if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
            outcome = "transient_error"
            raise TransientTranscriptionError(message, retry_after=_retry_after(exc)) from None
        raise PermanentTranscriptionError(message) from None
    except sdk.OpenAIError as exc:
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


def transcribe_audio_file(
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


def describe_images(images: list[tuple[bytes, str]], prompt: str, config) -> str:
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
