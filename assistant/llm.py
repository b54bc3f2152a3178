"""One call to an OpenAI-compatible chat-completions server, with our retries.

Timeouts, connection errors, 408/409/429 and 5xx are transient: tried again
after ``ASSISTANT_RETRY_BACKOFF_SECONDS``. Any other 4xx (a bad key, an
unknown model, a request the server rejects) is permanent at once. The
openai client runs with ``max_retries=0`` so every attempt is ours and counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from core.backoff import backoff_seconds
from core.openai_sdk import openai_sdk

if TYPE_CHECKING:
    import openai

TRANSIENT_STATUSES = frozenset({408, 409, 429})


class ModelError(Exception):
    def __init__(self, message: str, *, permanent: bool, attempts: int = 1) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts


@dataclass(frozen=True)
class ModelConfig:
    model: str
    base_url: str
    api_key: str
    temperature: float

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    calls: int = 0

    def add(self, usage, latency_ms: int) -> None:
        self.calls += 1
        self.latency_ms += latency_ms
        if usage is not None:
            self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)


@dataclass
class Reply:
    content: str
    tool_calls: list = field(default_factory=list)
    # The assistant message as it goes back into the conversation.
    message: dict = field(default_factory=dict)


def _client(config: ModelConfig) -> openai.OpenAI:
    return openai_sdk().OpenAI(
        # Local servers (vLLM, Ollama) take any key; the client insists on one.
        api_key=config.api_key or "not-needed",
        base_url=config.base_url or None,
        timeout=settings.ASSISTANT_REQUEST_TIMEOUT,
        max_retries=0,
    )


def _is_transient(exc: Exception) -> bool:
    sdk = openai_sdk()
    if isinstance(exc, sdk.APITimeoutError | sdk.APIConnectionError):
        return True
    if isinstance(exc, sdk.APIStatusError):
        return exc.status_code in TRANSIENT_STATUSES or exc.status_code >= 500
    return False


def _describe(exc: Exception) -> str:
    sdk = openai_sdk()
    if isinstance(exc, sdk.APIStatusError):
        return f"the model server answered {exc.status_code}: {str(exc.message)[:200]}"
    if isinstance(exc, sdk.APITimeoutError):
        return "the model server did not answer in time"
    if isinstance(exc, sdk.APIConnectionError):
        return "the model server could not be reached"
    return f"the model server's answer could not be read ({exc.__class__.__name__})"


def chat(
    *,
    config: ModelConfig,
    messages: list[dict],
    tools: list[dict] | None,
    usage: Usage,
) -> Reply:
    client = _client(config)
    schedule = settings.ASSISTANT_RETRY_BACKOFF_SECONDS
    attempts = 0
    while True:
        attempts += 1
        started = time.monotonic()
        try:
            kwargs = {
                "model": config.model,
                "messages": messages,
                "temperature": config.temperature,
            }
            if tools:
                kwargs["tools"] = tools
            response = client.chat.completions.create(**kwargs)
            message = response.choices[0].message
        except (openai_sdk().OpenAIError, IndexError, AttributeError) as exc:
            usage.add(None, int((time.monotonic() - started) * 1000))
            if _is_transient(exc) and attempts <= len(schedule):
                time.sleep(backoff_seconds(attempts, schedule=schedule))
                continue
            raise ModelError(
                _describe(exc), permanent=not _is_transient(exc), attempts=attempts
            ) from None
        usage.add(response.usage, int((time.monotonic() - started) * 1000))
        tool_calls = list(message.tool_calls or [])
        as_message: dict = {"role": "assistant", "content": message.content or ""}
        if tool_calls:
            as_message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {
                        "name": call.function.name,
                        "arguments": call.function.arguments,
                    },
                }
                for call in tool_calls
            ]
        return Reply(content=message.content or "", tool_calls=tool_calls, message=as_message)
