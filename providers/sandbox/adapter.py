"""The sandbox gateway: no WhatsApp account needed.

Sends land in ``SandboxOutboxMessage`` (visible in the admin). Media refs
carry the bytes inline as base64 (``{"base64": "..."}``), as a simulated
webhook would. Its webhooks (``simulate_inbound``) are signed like a real
gateway's: ``X-Sandbox-Signature: sha256=HMAC(webhook secret, raw body)``.
"""

import base64
import binascii
import hashlib
import hmac
import uuid

from providers.base import (
    ConnectionEvent,
    DownloadedMedia,
    GatewayAdapter,
    MediaTooLarge,
    NumberCheck,
    OutboundMedia,
    PermanentGatewayError,
    SendResult,
)
from providers.models import ConnectionStatus, SandboxOutboxMessage
from providers.sandbox import parser

SIGNATURE_HEADER = "X-Sandbox-Signature"


def sign(secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


class SandboxAdapter(GatewayAdapter):
    provider = "sandbox"

    def authenticate_webhook(self, *, raw_body, headers, body, secret_in_path):
        if not secret_in_path:
            return False
        given = headers.get(SIGNATURE_HEADER) or ""
        return hmac.compare_digest(given, sign(self.instance.webhook_secret, raw_body))

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
        # base64 is 4/3 the size of the bytes: refuse before decoding.
        if len(encoded) * 3 // 4 > max_bytes + 3:
            raise MediaTooLarge(f"media is over {max_bytes} bytes")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise PermanentGatewayError("sandbox media ref is not valid base64") from None
        if len(data) > max_bytes:
            raise MediaTooLarge(f"media is over {max_bytes} bytes")
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
