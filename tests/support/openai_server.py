"""A real HTTP server on 127.0.0.1 speaking the two OpenAI endpoints we use.

- ``POST /v1/audio/transcriptions``: multipart with ``model`` and ``file``;
  the uploaded file must be audio ffprobe can read (its probe is recorded).
- ``POST /v1/chat/completions``: a vision request, ``messages[0].content``
  holding a text part and ``image_url`` parts with base64 data URLs.

Requests of the wrong shape get a 400 naming the problem, so a test sees it
as the message's FAILED reason. ``fail_next(path, *statuses)`` makes the next
requests to ``path`` answer those error statuses first.
"""

import base64
import email.parser
import email.policy
import json
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.http_server import FakeHTTPServer, RecordedRequest

TRANSCRIPTIONS = "/v1/audio/transcriptions"
CHAT = "/v1/chat/completions"


def parse_multipart(request: RecordedRequest) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[name] = (part.get_filename(), part.get_payload(decode=True))
    return fields


def ffprobe_bytes(data: bytes, suffix: str) -> dict | None:
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", handle.name],
            capture_output=True,
        )
    return json.loads(result.stdout) if result.returncode == 0 else None


@dataclass
class Upload:
    model: str
    language: str | None
    filename: str
    data: bytes
    probe: dict

    @property
    def duration(self) -> float:
        return float(self.probe["format"]["duration"])

    @property
    def audio_streams(self) -> list[dict]:
        return [s for s in self.probe["streams"] if s["codec_type"] == "audio"]

    @property
    def video_streams(self) -> list[dict]:
        return [s for s in self.probe["streams"] if s["codec_type"] == "video"]


@dataclass
class VisionCall:
    model: str
    prompt: str
    images: list[tuple[str, bytes]]  # (mimetype, bytes)
    body: dict


@dataclass
class FakeOpenAI:
    transcript: str = "olá, qual o horário de funcionamento amanhã"
    description: str = "Uma imagem com o texto PROMO 50%."
    uploads: list[Upload] = field(default_factory=list)
    vision_calls: list[VisionCall] = field(default_factory=list)

    def __post_init__(self):
        self.server = FakeHTTPServer()
        self.server.route("POST", TRANSCRIPTIONS, self._transcriptions)
        self.server.route("POST", CHAT, self._chat)
        self._failures: dict[str, list[tuple[int, dict]]] = {TRANSCRIPTIONS: [], CHAT: []}
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/v1"

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return self.server.requests_to(path)

    def fail_next(self, path: str, *statuses: int, headers: dict | None = None) -> None:
        for status in statuses:
            body = {"error": {"message": f"simulated {status}", "type": "test", "code": None}}
            self._failures[path].append((status, body, dict(headers or {})))

    def _planned_failure(self, path: str):
        with self._lock:
            return self._failures[path].pop(0) if self._failures[path] else None

    @staticmethod
    def _bad(problem: str):
        return 400, {"error": {"message": problem, "type": "invalid_request_error"}}

    def _transcriptions(self, request: RecordedRequest):
        if failure := self._planned_failure(TRANSCRIPTIONS):
            return failure
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return 401, {"error": {"message": "missing key"}}
        fields = parse_multipart(request)
        model = (fields.get("model") or (None, b""))[1].decode()
        if not model:
            return self._bad("model is required")
        if "file" not in fields:
            return self._bad("file is required")
        filename, data = fields["file"]
        suffix = Path(filename or "").suffix
        if suffix.lstrip(".") not in {
            "flac",
            "mp3",
            "mp4",
            "mpeg",
            "mpga",
            "m4a",
            "ogg",
            "wav",
            "webm",
        }:
            return self._bad(f"Invalid file format {suffix!r}")
        probe = ffprobe_bytes(data, suffix)
        if probe is None or not any(s["codec_type"] == "audio" for s in probe["streams"]):
            return self._bad("the uploaded file is not audio")
        language = fields.get("language", (None, None))[1]
        upload = Upload(
            model=model,
            language=language.decode() if language else None,
            filename=filename,
            data=data,
            probe=probe,
        )
        self.uploads.append(upload)
        return 200, {"text": self.transcript}

    def _chat(self, request: RecordedRequest):
        if failure := self._planned_failure(CHAT):
            return failure
        body = request.json
        model = body.get("model")
        messages = body.get("messages") or []
        if not model or not messages or not isinstance(messages[0].get("content"), list):
            return self._bad("model and messages[0].content (a list) are required")
        prompt, images = "", []
        for part in messages[0]["content"]:
            if part.get("type") == "text":
                prompt = part["text"]
            elif part.get("type") == "image_url":
                url = part["image_url"]["url"]
                if not url.startswith("data:image/") or ";base64," not in url:
                    return self._bad("image_url must be a base64 data URL")
                head, encoded = url.split(",", 1)
                images.append((head[len("data:") : -len(";base64")], base64.b64decode(encoded)))
            else:
                return self._bad(f"unexpected content part {part.get('type')}")
        if not prompt or not images:
            return self._bad("a text part and at least one image are required")
        self.vision_calls.append(VisionCall(model=model, prompt=prompt, images=images, body=body))
        return 200, {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1700000000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.description},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
