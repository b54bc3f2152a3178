"""A Baileys bridge: a small Node service wrapping Baileys behind HTTP.

Baileys is a library, not a server, so Atende defines the bridge's HTTP
contract (docs/PROVIDERS.md, "Baileys bridge"): sends, media download,
number check and state under ``/sessions/{session}``, authenticated with
``Authorization: Bearer <apiKey>``; events forwarded raw to our webhook.
"""

from __future__ import annotations

from providers.baileys import parser
from providers.base import (
    ConnectionEvent,
    DownloadedMedia,
    GatewayAdapter,
    NumberCheck,
    OutboundMedia,
    PermanentGatewayError,
    QrCodeEvent,
    SendResult,
    TransientGatewayError,
)
from providers.http import GatewayHTTP, encode_base64
from providers.wa import phone_from_jid

_STATES = {"open": "CONNECTED", "connecting": "CONNECTING", "close": "DISCONNECTED"}


class BaileysAdapter(GatewayAdapter):
    provider = "baileys"
    label = "Baileys bridge"

    @property
    def http(self) -> GatewayHTTP:
        api_key = (self.instance.credentials or {}).get("apiKey", "")
        return GatewayHTTP(self.instance.base_url, headers={"Authorization": f"Bearer {api_key}"})

    @property
    def session_path(self) -> str:
        return f"/sessions/{self.instance.external_id or 'default'}"

    def parse_webhook(self, body, headers):
        return parser.parse(body)

    def send_text(self, *, to, text, quoted_id=None):
        body: dict = {"to": to, "type": "text", "text": text}
        if quoted_id:
            body["quotedId"] = quoted_id
        return self._send(body)

    def send_media(self, *, to, media: OutboundMedia):
        kind = "audio" if media.kind == "voice" else media.kind
        if kind not in ("image", "video", "audio", "document", "sticker"):
            raise PermanentGatewayError(f"the Baileys bridge cannot send {media.kind!r} media")
        body: dict = {"to": to, "type": kind, "mimetype": media.mimetype}
        if media.url:
            body["url"] = media.url
        elif media.data is not None:
            body["base64"] = encode_base64(media.data)
        else:
            raise PermanentGatewayError("media has neither a URL nor bytes")
        if media.caption:
            body["caption"] = media.caption
        if kind == "document":
            body["fileName"] = media.filename or "document"
        if media.kind == "voice":
            body["ptt"] = True
        return self._send(body)

    def _send(self, body: dict) -> SendResult:
        data = self.http.json(
            "POST", f"{self.session_path}/messages", what="Baileys bridge send", json_body=body
        )
        message_id = ((data or {}).get("key") or {}).get("id") if isinstance(data, dict) else None
        if not message_id:
            raise TransientGatewayError("the bridge accepted the send but returned no key.id")
        return SendResult(provider_message_id=message_id, raw=data)

    def download_media(self, ref, *, max_bytes):
        if not isinstance(ref.get("message"), dict):
            raise PermanentGatewayError("the media ref has no message")
        data, mimetype = self.http.download(
            f"{self.session_path}/media",
            method="POST",
            what="Baileys bridge media",
            max_bytes=max_bytes,
            json_body={"message": ref["message"]},
        )
        return DownloadedMedia(data=data, mimetype=mimetype)

    def check_number(self, phone):
        data = self.http.json(
            "POST",
            f"{self.session_path}/on-whatsapp",
            what="Baileys bridge on-whatsapp",
            json_body={"numbers": [phone]},
        )
        entry = data[0] if isinstance(data, list) and data else {}
        jid = entry.get("jid") or ""
        return NumberCheck(
            exists=bool(entry.get("exists")), phone=phone_from_jid(jid) or phone, wa_id=jid
        )

    def connection_state(self):
        data = self.http.json("GET", self.session_path, what="Baileys bridge state")
        return self._state(data)

    def connect(self):
        data = self.http.json(
            "POST", f"{self.session_path}/connect", what="Baileys bridge connect", json_body={}
        )
        if isinstance(data, dict) and data.get("qr"):
            return QrCodeEvent(qr_code=data["qr"])
        return self._state(data)

    def _state(self, data) -> ConnectionEvent:
        data = data if isinstance(data, dict) else {}
        me = (data.get("me") or {}).get("id") if isinstance(data.get("me"), dict) else None
        return ConnectionEvent(
            status=_STATES.get(data.get("connection"), "UNKNOWN"),
            phone_number=phone_from_jid(me) or "",
        )
