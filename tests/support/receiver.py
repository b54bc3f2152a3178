"""The AI platform's endpoint: a real HTTP server that checks Atende's signatures."""

import hashlib
import hmac
import time

from tests.support.http_server import FakeHTTPServer

RECEIVER_PATH = "/hooks/atende"
RECEIVER_SECRET = "receiver-secret-123"


def signature_is_valid(request, secret: str = RECEIVER_SECRET) -> bool:
    timestamp = request.headers.get("x-atende-timestamp", "")
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(request.headers.get("x-atende-signature", ""), f"sha256={expected}")


class Receiver(FakeHTTPServer):
    """The AI platform's endpoint: accepts only correctly signed requests."""

    def signed(self, reply=(200, {"ok": True})):
        def handler(request):
            request.received_at = time.time()
            if not signature_is_valid(request):
                return 401, {"error": "bad signature"}
            return reply(request) if callable(reply) else reply

        return handler

    def turns(self) -> list[dict]:
        return [
            r.json
            for r in self.requests_to(RECEIVER_PATH)
            if r.headers.get("x-atende-event") == "turn.ready" and signature_is_valid(r)
        ]
