"""Evolution API v2 (https://doc.evolution-api.com/v2): REST client and webhook auth.

Every call carries the ``apikey`` header (the instance token or the global
key); sends answer 201. The instance's ``external_id`` is Evolution's
instance name, used in every path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import jwt

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
from providers.evolution import parser
from providers.http import GatewayHTTP, as_object, decode_base64_limited, encode_base64
from providers.wa import phone_from_jid


class EvolutionAdapter(GatewayAdapter):
    provider = "evolution"
    label = "Evolution API"

    @property
    def http(self) -> GatewayHTTP:
        api_key = (self.instance.credentials or {}).get("apiKey", "")
        return GatewayHTTP(self.instance.base_url, headers={"apikey": api_key})

    @property
    def name(self) -> str:
        if not self.instance.external_id:
            raise PermanentGatewayError("the instance has no Evolution instance name")
        return self.instance.external_id

    # --- webhooks -------------------------------------------------------

    def authenticate_webhook(self, *, raw_body, headers: Mapping[str, str], body, secret_in_path):
        """The URL secret, a custom header, or Evolution's HS256 JWT.

        Evolution has no payload signature (issue #102). Its per-instance
        webhook can send custom headers; a ``jwt_key`` header makes it send
        ``Authorization: Bearer <HS256 JWT>`` signed with that key instead.
        """
        if super().authenticate_webhook(
            raw_body=raw_body, headers=headers, body=body, secret_in_path=secret_in_path
        ):
            return True
        secret = self.instance.webhook_secret
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                jwt.decode(
                    token.strip(),
                    secret,
                    algorithms=["HS256"],
                    options={"require": ["exp"]},
                )
            except jwt.PyJWTError:
                return False
            return True
        return False

    def parse_webhook(self, body, headers):
        return parser.parse(body)

    # --- REST -------------------------------------------------------------

    def send_text(self, *, to, text, quoted_id=None):
        body: dict = {"number": to, "text": text}
        if quoted_id:
            body["quoted"] = {"key": {"id": quoted_id}}
        return self._send(f"/message/sendText/{self.name}", body)

    def send_media(self, *, to, media: OutboundMedia):
        source = media.url or (encode_base64(media.data) if media.data is not None else None)
        if not source:
            raise PermanentGatewayError("media has neither a URL nor bytes")
        if media.kind in ("voice", "audio"):
            # sendWhatsAppAudio converts to opus and sends a voice note (ptt).
            return self._send(
                f"/message/sendWhatsAppAudio/{self.name}", {"number": to, "audio": source}
            )
        if media.kind == "sticker":
            return self._send(
                f"/message/sendSticker/{self.name}", {"number": to, "sticker": source}
            )
        if media.kind not in ("image", "video", "document"):
            raise PermanentGatewayError(f"Evolution cannot send {media.kind!r} media")
        body = {"number": to, "mediatype": media.kind, "media": source}
        if media.mimetype:
            body["mimetype"] = media.mimetype
        if media.caption:
            body["caption"] = media.caption
        if media.filename or media.kind == "document":
            body["fileName"] = media.filename or "document"
        return self._send(f"/message/sendMedia/{self.name}", body)

    def _send(self, path: str, body: dict) -> SendResult:
        data = self.http.json("POST", path, what="Evolution send", json_body=body)
        message_id = (data.get("key") or {}).get("id") if isinstance(data, dict) else None
        if not message_id:
            raise TransientGatewayError("Evolution accepted the send but returned no key.id")
        return SendResult(provider_message_id=message_id, raw=data)

    def download_media(self, ref, *, max_bytes):
        if ref.get("base64"):
            data = decode_base64_limited(ref["base64"], max_bytes=max_bytes)
            return DownloadedMedia(data=data, mimetype=ref.get("mimetype", ""))
        if ref.get("url"):
            data, mimetype = self.http.download(ref["url"], what="media", max_bytes=max_bytes)
            return DownloadedMedia(data=data, mimetype=ref.get("mimetype") or mimetype)
        key = ref.get("key") or {"id": ref.get("id")}
        if not key.get("id"):
            raise PermanentGatewayError("the media ref has no message key")
        # The answer is JSON with the file as base64: 4/3 of the bytes plus a
        # little JSON, so that is what the stream may hold.
        raw, _ = self.http.download(
            f"/chat/getBase64FromMediaMessage/{self.name}",
            method="POST",
            what="Evolution getBase64FromMediaMessage",
            max_bytes=max_bytes * 4 // 3 + 64 * 1024,
            json_body={"message": {"key": key}, "convertToMp4": False},
        )
        try:
            answer = json.loads(raw)
        except ValueError:
            raise TransientGatewayError("getBase64FromMediaMessage returned no JSON") from None
        if not isinstance(answer, dict) or not answer.get("base64"):
            raise PermanentGatewayError("getBase64FromMediaMessage returned no media")
        data = decode_base64_limited(answer["base64"], max_bytes=max_bytes)
        return DownloadedMedia(
            data=data,
            mimetype=answer.get("mimetype") or ref.get("mimetype", ""),
            filename=answer.get("fileName") or "",
        )

    def check_number(self, phone):
        data = self.http.json(
            "POST",
            f"/chat/whatsappNumbers/{self.name}",
            what="Evolution whatsappNumbers",
            json_body={"numbers": [phone]},
        )
        entry = data[0] if isinstance(data, list) and data else {}
        jid = entry.get("jid") or ""
        return NumberCheck(
            exists=bool(entry.get("exists")), phone=phone_from_jid(jid) or phone, wa_id=jid
        )

    def connection_state(self):
        data = self.http.json(
            "GET", f"/instance/connectionState/{self.name}", what="Evolution connectionState"
        )
        state = as_object(as_object(data).get("instance")).get("state") or as_object(data).get(
            "state"
        )
        return ConnectionEvent(status=parser.CONNECTION_MAP.get(state, "UNKNOWN"))

    def connect(self):
        data = self.http.json("GET", f"/instance/connect/{self.name}", what="Evolution connect")
        if isinstance(data, dict) and (data.get("base64") or data.get("code")):
            return QrCodeEvent(
                qr_code=data.get("base64") or data["code"],
                pairing_code=str(data.get("pairingCode") or ""),
            )
        state = as_object(as_object(data).get("instance")).get("state")
        return ConnectionEvent(status=parser.CONNECTION_MAP.get(state, "UNKNOWN"))
