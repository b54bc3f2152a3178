"""UAZapi v2 (uazapiGO, https://docs.uazapi.com/): REST client and webhook auth.

Calls carry the ``token`` header (the instance token); there is no Bearer.
One base URL per server (``https://<subdomain>.uazapi.com``); the token
selects the instance, so paths carry no instance name.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    secrets_match,
)
from providers.http import GatewayHTTP, as_object, decode_base64_limited, encode_base64
from providers.rich import OutboundInteractive
from providers.uazapi import parser
from providers.wa import phone_from_jid

_MEDIA_TYPES = {
    "image": "image",
    "video": "video",
    "document": "document",
    "audio": "audio",
    "voice": "ptt",
    "sticker": "sticker",
}


class UazapiAdapter(GatewayAdapter):
    provider = "uazapi"
    label = "UAZapi"

    @property
    def token(self) -> str:
        return (self.instance.credentials or {}).get("token", "")

    @property
    def http(self) -> GatewayHTTP:
        return GatewayHTTP(self.instance.base_url, headers={"token": self.token})

    # --- webhooks -------------------------------------------------------

    def authenticate_webhook(self, *, raw_body, headers: Mapping[str, str], body, secret_in_path):
        """UAZapi signs nothing; every payload carries the instance ``token``.

        With the secret in the URL that is enough, but a payload token that
        does not match the instance's is still refused (a misrouted global
        webhook). Without it, the token must match, compared in constant time.
        """
        given = body.get("token") if isinstance(body, dict) else None
        if secret_in_path:
            return not (given and self.token) or secrets_match(given, self.token)
        return secrets_match(given if isinstance(given, str) else None, self.token)

    def parse_webhook(self, body, headers):
        return parser.parse(body)

    # --- REST -------------------------------------------------------------

    def send_text(self, *, to, text, quoted_id=None):
        body: dict = {"number": to, "text": text}
        if quoted_id:
            body["replyid"] = quoted_id
        return self._send("/send/text", body)

    def send_media(self, *, to, media: OutboundMedia):
        media_type = _MEDIA_TYPES.get(media.kind)
        if media_type is None:
            raise PermanentGatewayError(f"UAZapi cannot send {media.kind!r} media")
        source = media.url or (encode_base64(media.data) if media.data is not None else None)
        if not source:
            raise PermanentGatewayError("media has neither a URL nor bytes")
        body: dict = {"number": to, "type": media_type, "file": source}
        if media.caption:
            body["text"] = media.caption
        if media.kind == "document":
            body["docName"] = media.filename or "document"
        if media.mimetype:
            body["mimetype"] = media.mimetype
        return self._send("/send/media", body)

    def send_interactive(self, *, to, interactive: OutboundInteractive):
        """``POST /send/menu``: ``choices`` are ``"Title|id"``; in a list,
        ``"[Section]"`` opens a section and rows are ``"Title|id|description"``.
        UAZapi warns buttons and lists may stop working without notice
        (docs/PROVIDERS.md); a failure here fails the message like any send."""
        choices: list[str] = []
        section = None
        for option in interactive.options:
            if interactive.kind == "list" and option.section and option.section != section:
                section = option.section
                choices.append(f"[{section}]")
            row = f"{option.title}|{option.id}"
            if interactive.kind == "list" and option.description:
                row += f"|{option.description}"
            choices.append(row)
        text = (
            f"{interactive.header}\n\n{interactive.body}"
            if interactive.header
            else interactive.body
        )
        body: dict = {
            "number": to,
            "type": "button" if interactive.kind == "buttons" else "list",
            "text": text,
            "choices": choices,
        }
        if interactive.footer:
            body["footerText"] = interactive.footer
        if interactive.kind == "list":
            body["listButton"] = interactive.list_button
        return self._send("/send/menu", body)

    def _send(self, path: str, body: dict) -> SendResult:
        data = self.http.json("POST", path, what="UAZapi send", json_body=body)
        message = data if isinstance(data, dict) else {}
        message_id = message.get("messageid") or (message.get("message") or {}).get("messageid")
        if not message_id and isinstance(message.get("id"), str):
            message_id = message["id"].rpartition(":")[2]
        if not message_id:
            raise TransientGatewayError("UAZapi accepted the send but returned no messageid")
        return SendResult(provider_message_id=message_id, raw=message)

    def download_media(self, ref, *, max_bytes):
        message_id = ref.get("messageid")
        if not message_id:
            raise PermanentGatewayError("the media ref has no messageid")
        # A link keeps the bytes out of the JSON answer, so they can be
        # streamed against the limit. UAZapi keeps the file for 2 days.
        answer = self.http.json(
            "POST",
            "/message/download",
            what="UAZapi message/download",
            json_body={"id": message_id, "return_link": True, "return_base64": False},
        )
        if not isinstance(answer, dict):
            raise PermanentGatewayError("message/download returned no object")
        mimetype = answer.get("mimetype") or ref.get("mimetype", "")
        if answer.get("base64Data"):
            data = decode_base64_limited(answer["base64Data"], max_bytes=max_bytes)
            return DownloadedMedia(data=data, mimetype=mimetype)
        if not answer.get("fileURL"):
            raise PermanentGatewayError("message/download returned no fileURL")
        data, served = self.http.download(
            answer["fileURL"], what="UAZapi file", max_bytes=max_bytes
        )
        return DownloadedMedia(data=data, mimetype=mimetype or served)

    def check_number(self, phone):
        data = self.http.json(
            "POST", "/chat/check", what="UAZapi chat/check", json_body={"numbers": [phone]}
        )
        entry = data[0] if isinstance(data, list) and data else {}
        jid = entry.get("jid") or ""
        return NumberCheck(
            exists=parser.truthy(entry.get("isInWhatsapp")),
            phone=phone_from_jid(jid) or phone,
            wa_id=jid,
        )

    def connection_state(self):
        data = self.http.json("GET", "/instance/status", what="UAZapi instance/status")
        instance = as_object(as_object(data).get("instance"))
        state = str(instance.get("status") or "").lower()
        status = parser.CONNECTION_MAP.get(state, "UNKNOWN")
        jid = as_object(as_object(data).get("status")).get("jid") or ""
        return ConnectionEvent(status=status, phone_number=phone_from_jid(jid) or "")

    def connect(self):
        data = self.http.json(
            "POST", "/instance/connect", what="UAZapi instance/connect", json_body={}
        )
        instance = as_object(as_object(data).get("instance"))
        qr_code, pairing_code = instance.get("qrcode") or "", instance.get("paircode") or ""
        if qr_code or pairing_code:
            return QrCodeEvent(qr_code=str(qr_code), pairing_code=str(pairing_code))
        state = str(instance.get("status") or "").lower()
        return ConnectionEvent(status=parser.CONNECTION_MAP.get(state, "UNKNOWN"))
