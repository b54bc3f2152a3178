"""The HTTP plumbing every gateway client shares.

One place decides which failures are worth retrying: timeouts, connection
errors, 429 and 5xx are transient; any other 4xx is permanent. Downloads
stream and stop as soon as they pass the caller's byte limit, so a huge
file never lands in memory.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import requests

from core.http import http_session
from providers.base import MediaTooLarge, PermanentGatewayError, TransientGatewayError

DEFAULT_TIMEOUT = (5, 30)  # (connect, read) seconds
CHUNK_SIZE = 64 * 1024


def error_for_status(response: requests.Response, *, what: str) -> None:
    """Raise the typed gateway error for a non-2xx response."""
    if response.status_code < 400:
        return
    detail = _short_body(response)
    message = f"{what} failed: HTTP {response.status_code} {detail}".strip()
    try:
        body = response.json()
    except ValueError:  # not JSON (or not decodable): the message has the text
        body = None
    error = (
        TransientGatewayError
        if response.status_code == 429 or response.status_code >= 500
        else PermanentGatewayError
    )
    raise error(message, status_code=response.status_code, body=body)


def _short_body(response: requests.Response) -> str:
    try:
        text = response.text
    except Exception:  # undecodable bodies are not worth a second error
        return ""
    return text[:500]


class GatewayHTTP:
    """A small ``requests`` wrapper bound to one gateway's base URL and auth headers."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        if not base_url:
            raise PermanentGatewayError("the instance has no base URL configured")
        self.base_url = base_url.rstrip("/")
        self.headers = headers or {}
        self.timeout = timeout

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json_body: Any = None,
        params: dict | None = None,
        files: dict | None = None,
        data: dict | None = None,
        stream: bool = False,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        try:
            response = http_session().request(
                method,
                self.url(path),
                json=json_body,
                params=params,
                files=files,
                data=data,
                headers={**self.headers, **(headers or {})},
                timeout=self.timeout,
                stream=stream,
            )
        except requests.Timeout as exc:
            raise TransientGatewayError(f"{what} timed out: {exc}") from exc
        except requests.ConnectionError as exc:
            raise TransientGatewayError(f"{what} could not connect: {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentGatewayError(f"{what} failed: {exc}") from exc
        if response.status_code >= 400:
            try:
                error_for_status(response, what=what)
            finally:
                response.close()
        return response

    def json(self, method: str, path: str, *, what: str, **kwargs) -> Any:
        response = self.request(method, path, what=what, **kwargs)
        return decode_json(response, what=what)

    def download(
        self, path: str, *, what: str, max_bytes: int, method: str = "GET", **kwargs
    ) -> tuple[bytes, str]:
        """Stream a body into memory, refusing it past ``max_bytes``. Returns (data, mimetype)."""
        response = self.request(method, path, what=what, stream=True, **kwargs)
        with response:
            data = read_limited(response, max_bytes=max_bytes)
            mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
        return data, mimetype


def as_object(value: Any) -> dict:
    """A gateway's JSON where we expect an object: anything else (null, a list,
    a string) reads as empty, so an odd reply is "unknown", not a crash."""
    return value if isinstance(value, dict) else {}


def decode_json(response: requests.Response, *, what: str) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        # A proxy's HTML error page with a 200: the gateway is not answering properly.
        raise TransientGatewayError(
            f"{what} returned a body that is not JSON", status_code=response.status_code
        ) from None


def read_limited(response: requests.Response, *, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise MediaTooLarge(f"media is {declared} bytes, over the {max_bytes} byte limit")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_content(CHUNK_SIZE):
            total += len(chunk)
            if total > max_bytes:
                raise MediaTooLarge(f"media is over the {max_bytes} byte limit")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise TransientGatewayError(f"media download was interrupted: {exc}") from exc
    return b"".join(chunks)


def decode_base64_limited(encoded: str, *, max_bytes: int) -> bytes:
    """Inline base64 media (possibly a data: URI) → bytes, refusing oversize before decoding."""
    if encoded.startswith("data:"):
        encoded = encoded.partition(",")[2]
    # base64 is 4/3 the size of the bytes: refuse before allocating them.
    if (len(encoded) * 3) // 4 > max_bytes + 3:
        raise MediaTooLarge(f"media is over the {max_bytes} byte limit")
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        raise PermanentGatewayError("inline media is not valid base64") from None
    if len(data) > max_bytes:
        raise MediaTooLarge(f"media is over the {max_bytes} byte limit")
    return data


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
