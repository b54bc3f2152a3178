"""The sandbox gateway: no WhatsApp account needed.

Sends land in ``SandboxOutboxMessage`` (visible in the admin). Media refs
carry the bytes inline as base64 (``{"base64": "..."}``), as a simulated
webhook would. Its webhooks (``simulate_inbound``) are signed like a real
gateway's: ``X-Sandbox-Signature: sha256=HMAC(webhook secret, raw body)``.
"""

import hashlib
import hmac
import uuid

from providers.base import (
    ConnectionEvent,
    DownloadedMedia,
    GatewayAdapter,
    NumberCheck,
    OutboundMedia,
    PermanentGatewayError,
    SendResult,
    secrets_match,
)
from providers.http import decode_base64_limited
from providers.models import ConnectionStatus, SandboxOutboxMessage
from providers.sandbox import parser

SIGNATURE_HEADER = "X-Sandbox-Signature"


def sign(secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


class SandboxAdapter(GatewayAdapter):
    provider = "sandbox"
    label = "Sandbox"

    def authenticate_webhook(self, *, raw_body, headers, body, secret_in_path):
        if not secret_in_path:
            return False
        given = headers.get(SIGNATURE_HEADER) or ""
        return secrets_match(given, sign(self.instance.webhook_secret, raw_body))

    def parse_webhook(self, body, headers):
        return parser.parse(body)

    def send_text(self, *, to, text, quoted_id=None):
        return self._record(to=to, kind="text", text=text)

    def send_media(self, *, to, media: OutboundMedia):
        return self._record(
            to=to,
            kind=media.kind,
            text=media.caption,
            media={
                "mimetype": media.mimetype,
                "filename": media.filename,
                "url": media.url,
                "size": len(media.data) if media.data is not None else None,
            },
        )

    def download_media(self, ref, *, max_bytes):
        encoded = ref.get("base64")
        if not encoded:
            raise PermanentGatewayError("sandbox media ref has no inline base64 data")
        data = decode_base64_limited(encoded, max_bytes=max_bytes)
        return DownloadedMedia(
            data=data, mimetype=ref.get("mimetype", ""), filename=ref.get("filename", "")
        )

    def check_number(self, phone):
        return NumberCheck(exists=True, phone=phone, wa_id=f"{phone}@s.whatsapp.net")

    def connection_state(self):
        return ConnectionEvent(status=ConnectionStatus.CONNECTED)

    def _record(self, *, to, kind, text="", media=None) -> SendResult:
        provider_message_id = f"SANDBOX-{uuid.uuid4().hex[:20].upper()}"
        SandboxOutboxMessage.objects.create(
            instance=self.instance,
            to=to,
            kind=kind,
            text=text,
            media=media or {},
            provider_message_id=provider_message_id,
        )
        return SendResult(provider_message_id=provider_message_id)
