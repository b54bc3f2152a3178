"""The sandbox gateway: no WhatsApp account needed.

Sends land in ``SandboxOutboxMessage`` (visible in the admin). Media refs
carry the bytes inline as base64 (``{"base64": "..."}``), as a simulated
webhook would.
"""

import base64
import binascii
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


class SandboxAdapter(GatewayAdapter):
    provider = "sandbox"

    def parse_webhook(self, body, headers):
        raise NotImplementedError  # the sandbox webhook format is built with the ingest endpoint

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
