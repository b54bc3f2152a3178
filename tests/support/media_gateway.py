"""A gateway adapter that downloads over HTTP like the real ones, for a FakeHTTPServer.

``ref = {"url": ...}``; streamed in 4 KB chunks and abandoned past ``max_bytes``;
429/5xx → TransientGatewayError, other 4xx → PermanentGatewayError.
"""

import requests

from providers.base import (
    DownloadedMedia,
    MediaTooLarge,
    PermanentGatewayError,
    TransientGatewayError,
)
from providers.sandbox.adapter import SandboxAdapter

CHUNK = 4096


class HTTPMediaAdapter(SandboxAdapter):
    received: list[int] = []  # bytes read per download

    def download_media(self, ref, *, max_bytes):
        received, chunks = 0, []
        with requests.get(ref["url"], stream=True, timeout=10) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise TransientGatewayError(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise PermanentGatewayError(f"HTTP {response.status_code}")
            for chunk in response.iter_content(CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    HTTPMediaAdapter.received.append(received)
                    raise MediaTooLarge(f"media is over {max_bytes} bytes")
                chunks.append(chunk)
        HTTPMediaAdapter.received.append(received)
        return DownloadedMedia(
            data=b"".join(chunks), mimetype=response.headers.get("Content-Type", "")
        )
