"""Meta WhatsApp Cloud API: Graph client, webhook signature and verify handshake.

``external_id`` is the phone-number-id; ``credentials.accessToken`` the
bearer token; ``app_secret`` signs webhooks; ``verify_token`` answers the
GET handshake. ``base_url`` defaults to Graph (``CLOUDAPI_BASE_URL``
setting) and can point at a proxy or a test server.
https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from django.conf import settings

from providers.base import (
    ConnectionEvent,
    DownloadedMedia,
    GatewayAdapter,
    MediaTooLarge,
    NumberCheck,
    OutboundMedia,
    PermanentGatewayError,
    SendResult,
    TransientGatewayError,
    secrets_match,
)
from providers.cloudapi import parser
from providers.http import GatewayHTTP, as_object, decode_json
from providers.rich import OutboundInteractive, OutboundTemplate, SyncedTemplate
from providers.wa import phone_from_jid

SIGNATURE_HEADER = "X-Hub-Signature-256"
# Graph error codes that mean "slow down / try later" even on an HTTP 400:
# throughput (130429), pair rate (131056), spam rate (131048), app/account
# rate limits (4, 80007), temporary service errors (1, 2, 131000, 131016).
TRANSIENT_CODES = {1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133016}
_SEND_TYPES = {
    "image": "image",
    "video": "video",
    "document": "document",
    "audio": "audio",
    "voice": "audio",
    "sticker": "sticker",
}


class CloudApiAdapter(GatewayAdapter):
    provider = "cloudapi"
    label = "Meta Cloud API"

    @property
    def token(self) -> str:
        return (self.instance.credentials or {}).get("accessToken", "")

    @property
    def http(self) -> GatewayHTTP:
        base = self.instance.base_url or settings.CLOUDAPI_BASE_URL
        return GatewayHTTP(base, headers={"Authorization": f"Bearer {self.token}"})

    @property
    def phone_number_id(self) -> str:
        if not self.instance.external_id:
            raise PermanentGatewayError("the instance has no Cloud API phone-number-id")
        return self.instance.external_id

    # --- webhooks -------------------------------------------------------

    def authenticate_webhook(self, *, raw_body, headers: Mapping[str, str], body, secret_in_path):
        """``X-Hub-Signature-256: sha256=HMAC(app secret, raw body)``, checked before parsing.

        No app secret configured means no way to tell Meta from anyone else:
        refuse rather than accept unsigned traffic.
        """
        if not secret_in_path or not self.instance.app_secret:
            return False
        signature = headers.get(SIGNATURE_HEADER) or ""
        if not signature.startswith("sha256="):
            return False
        expected = hmac.new(self.instance.app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
        return secrets_match(signature[len("sha256=") :], expected)

    def verify_subscription(self, query: Mapping[str, str]) -> str | None:
        if query.get("hub.mode") != "subscribe":
            return None
        if not secrets_match(query.get("hub.verify_token"), self.instance.verify_token):
            return None
        return query.get("hub.challenge") or ""

    def parse_webhook(self, body, headers):
        return parser.parse(body, phone_number_id=self.instance.external_id)

    # --- Graph ------------------------------------------------------------

    def _call(self, method: str, path: str, *, what: str, **kwargs):
        try:
            response = self.http.request(method, path, what=what, **kwargs)
        except PermanentGatewayError as exc:
            raise _reclassify(exc) from exc
        return decode_json(response, what=what)

    def send_text(self, *, to, text, quoted_id=None):
        body: dict = {"type": "text", "text": {"body": text, "preview_url": False}}
        if quoted_id:
            body["context"] = {"message_id": quoted_id}
        return self._send(to, body)

    def send_media(self, *, to, media: OutboundMedia):
        kind = _SEND_TYPES.get(media.kind)
        if kind is None:
            raise PermanentGatewayError(f"Cloud API cannot send {media.kind!r} media")
        if media.url:
            obj: dict = {"link": media.url}
        elif media.data is not None:
            obj = {"id": self._upload(media)}
        else:
            raise PermanentGatewayError("media has neither a URL nor bytes")
        if media.caption and kind in ("image", "video", "document"):
            obj["caption"] = media.caption
        if kind == "document":
            obj["filename"] = media.filename or "document"
        return self._send(to, {"type": kind, kind: obj})

    def send_template(self, *, to, template: OutboundTemplate):
        body: dict = {"name": template.name, "language": {"code": template.language}}
        if template.components:
            body["components"] = list(template.components)
        return self._send(to, {"type": "template", "template": body})

    def send_interactive(self, *, to, interactive: OutboundInteractive):
        return self._send(to, {"type": "interactive", "interactive": _interactive(interactive)})

    def list_templates(self) -> list[SyncedTemplate]:
        """Every template of the WABA, following ``paging.next`` (a full URL)."""
        waba = str((self.instance.credentials or {}).get("businessAccountId") or "")
        if not waba:
            raise PermanentGatewayError("the instance has no businessAccountId (WABA id)")
        templates: list[SyncedTemplate] = []
        path: str | None = f"/{waba}/message_templates"
        params: dict | None = {
            "fields": "id,name,language,status,category,components,parameter_format",
            "limit": "100",
        }
        seen: set[str] = set()
        while path and path not in seen:
            seen.add(path)
            page = as_object(self._call("GET", path, what="Cloud API templates", params=params))
            for item in page.get("data") or []:
                if isinstance(item, dict) and item.get("name") and item.get("language"):
                    templates.append(_synced(item))
            path = as_object(page.get("paging")).get("next") or None
            params = None  # the next URL carries its own query
        return templates

    def _upload(self, media: OutboundMedia) -> str:
        data = self._call(
            "POST",
            f"/{self.phone_number_id}/media",
            what="Cloud API media upload",
            data={"messaging_product": "whatsapp", "type": media.mimetype},
            files={
                "file": (
                    media.filename or "file",
                    media.data,
                    media.mimetype or "application/octet-stream",
                )
            },
        )
        if not isinstance(data, dict) or not data.get("id"):
            raise TransientGatewayError("Cloud API accepted the upload but returned no id")
        return data["id"]

    def _send(self, to: str, body: dict) -> SendResult:
        data = self._call(
            "POST",
            f"/{self.phone_number_id}/messages",
            what="Cloud API send",
            json_body={
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                **body,
            },
        )
        messages = data.get("messages") if isinstance(data, dict) else None
        if not messages or not messages[0].get("id"):
            raise TransientGatewayError("Cloud API accepted the send but returned no message id")
        return SendResult(provider_message_id=messages[0]["id"], raw=data)

    def download_media(self, ref, *, max_bytes):
        media_id = ref.get("mediaId")
        if not media_id:
            raise PermanentGatewayError("the media ref has no mediaId")
        info = self._call("GET", f"/{media_id}", what="Cloud API media lookup")
        if not isinstance(info, dict) or not info.get("url"):
            raise PermanentGatewayError("Cloud API returned no media url")
        size = info.get("file_size")
        if isinstance(size, int) and size > max_bytes:
            raise MediaTooLarge(f"media is {size} bytes, over the {max_bytes} byte limit")
        # The URL is valid for 5 minutes and needs the same bearer token.
        data, served = self.http.download(info["url"], what="Cloud API media", max_bytes=max_bytes)
        return DownloadedMedia(data=data, mimetype=info.get("mime_type") or served)

    def check_number(self, phone):
        # The Cloud API has no contact-lookup endpoint any more (/contacts was
        # removed in v16): a send to a number not on WhatsApp fails with
        # error 131026 instead. Report "unknown" as existing.
        return NumberCheck(exists=True, phone=phone, wa_id=phone)

    def connection_state(self):
        data = self._call(
            "GET",
            f"/{self.phone_number_id}",
            what="Cloud API phone number",
            params={"fields": "display_phone_number,verified_name,quality_rating"},
        )
        display = as_object(data).get("display_phone_number") or ""
        digits = "".join(ch for ch in display if ch.isdigit())
        return ConnectionEvent(
            status="CONNECTED",
            phone_number=phone_from_jid(f"{digits}@s.whatsapp.net") or "" if digits else "",
        )


def _synced(item: dict) -> SyncedTemplate:
    components = tuple(c for c in item.get("components") or [] if isinstance(c, dict))
    return SyncedTemplate(
        template_id=str(item.get("id") or ""),
        name=str(item["name"]),
        language=str(item["language"]),
        status=str(item.get("status") or "").upper(),
        category=str(item.get("category") or "").upper(),
        parameter_format=str(item.get("parameter_format") or "POSITIONAL").upper(),
        components=components,
    )


def _interactive(interactive: OutboundInteractive) -> dict:
    """Meta's ``interactive`` object: reply buttons or a list.
    https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages
    """
    body: dict = {"body": {"text": interactive.body}}
    if interactive.header:
        body["header"] = {"type": "text", "text": interactive.header}
    if interactive.footer:
        body["footer"] = {"text": interactive.footer}
    if interactive.kind == "buttons":
        body["type"] = "button"
        body["action"] = {
            "buttons": [
                {"type": "reply", "reply": {"id": o.id, "title": o.title}}
                for o in interactive.options
            ]
        }
        return body
    sections: list[dict] = []
    for option in interactive.options:
        if not sections or sections[-1]["title"] != option.section:
            sections.append({"title": option.section, "rows": []})
        row = {"id": option.id, "title": option.title}
        if option.description:
            row["description"] = option.description
        sections[-1]["rows"].append(row)
    for section in sections:
        if not section["title"]:
            del section["title"]  # a single untitled section needs none
    body["type"] = "list"
    body["action"] = {"button": interactive.list_button, "sections": sections}
    return body


def _reclassify(exc: PermanentGatewayError) -> PermanentGatewayError | TransientGatewayError:
    """Graph answers some rate limits with HTTP 400: read the error code."""
    error = as_object(as_object(exc.body).get("error"))
    code = error.get("code")
    if isinstance(code, int) and code in TRANSIENT_CODES:
        return TransientGatewayError(exc.message, status_code=exc.status_code, body=exc.body)
    if code is None:
        return exc
    # Graph's message reads "(#131047) Re-engagement message".
    title = error.get("error_user_title") or str(error.get("message") or "")
    title = title.split(") ", 1)[1] if title.startswith("(#") and ") " in title else title
    return PermanentGatewayError(
        exc.message,
        status_code=exc.status_code,
        body=exc.body,
        error_code=str(code),
        error_title=title[:200],
    )
