"""The sandbox's own webhook format: simple, documented, signed.

{"event": "message", "message": {"id", "from", "name"?, "text"?, "fromMe"?,
                                 "timestamp"? (s), "lid"?, "quotedId"?,
                                 "media"?: {"kind", "mimetype", "filename", "base64"}}}
{"event": "status", "status": {"id", "status": SENT|DELIVERED|READ|FAILED, "error"?}}
{"event": "edit", "edit": {"id" (the edited message's), "text", "timestamp"? (s), "from"?, "lid"?}}
{"event": "delete", "delete": {"id" (the deleted message's), "timestamp"? (s), "from"?, "lid"?}}
(an edit's or deletion's "from"/"lid" name its chat, as a message's do)
{"event": "connection", "connection": {"status": CONNECTED|CONNECTING|DISCONNECTED}}
{"event": "qr", "qr": {"code"}}
"""

from __future__ import annotations

from typing import Any

from contacts.phones import InvalidPhone, normalize_phone
from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    InboundMedia,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    WebhookEvent,
    WebhookPayloadError,
)
from providers.wa import timestamp_from_seconds

MEDIA_KINDS = {"image", "audio", "voice", "video", "document", "sticker"}
STATUSES = {"SENT", "DELIVERED", "READ", "FAILED"}
CONNECTION_STATUSES = {"CONNECTED", "CONNECTING", "DISCONNECTED"}


def parse(body: Any) -> list[WebhookEvent]:
    if not isinstance(body, dict) or not isinstance(body.get("event"), str):
        raise WebhookPayloadError("the body has no 'event'")
    event = body["event"]
    if event == "message":
        return [_message(body.get("message"))]
    if event == "status":
        return [_status(body.get("status"))]
    if event in ("edit", "delete"):
        return [_revision(event, body.get(event))]
    if event == "connection":
        status = (body.get("connection") or {}).get("status")
        if status not in CONNECTION_STATUSES:
            raise WebhookPayloadError("connection.status is not a known state")
        return [ConnectionEvent(status=status)]
    if event == "qr":
        code = (body.get("qr") or {}).get("code")
        if not isinstance(code, str) or not code:
            raise WebhookPayloadError("qr.code is missing")
        return [QrCodeEvent(qr_code=code)]
    return [IgnoredEvent(event_type=event, reason="event not used")]


def _message(message: Any) -> MessageEvent:
    if not isinstance(message, dict):
        raise WebhookPayloadError("'message' is not an object")
    message_id = message.get("id")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("message.id is missing")
    if not message.get("from") and not message.get("lid"):
        raise WebhookPayloadError("message.from or message.lid is required")
    phone, wa_ids = _party("message", message)
    text = message.get("text") or ""
    if not isinstance(text, str):
        raise WebhookPayloadError("message.text is not a string")
    kind, media, payload = "text", None, {}
    if message.get("quotedId"):
        payload["quotedId"] = str(message["quotedId"])
    if message.get("media") is not None:
        raw = message["media"]
        if not isinstance(raw, dict) or raw.get("kind") not in MEDIA_KINDS:
            raise WebhookPayloadError("message.media.kind is not a media kind")
        data = raw.get("base64") or ""
        if not isinstance(data, str):
            raise WebhookPayloadError("message.media.base64 is not a string")
        kind = raw["kind"]
        media = InboundMedia(
            mimetype=str(raw.get("mimetype") or ""),
            filename=str(raw.get("filename") or ""),
            # From the length: decoding (and checking) is the download's job,
            # with its size limit, not the webhook's.
            size=_base64_size(data) if data else None,
            ref={
                "base64": data,
                "mimetype": str(raw.get("mimetype") or ""),
                "filename": str(raw.get("filename") or ""),
            },
        )
    return MessageEvent(
        provider_message_id=message_id,
        from_me=bool(message.get("fromMe")),
        chat_id=wa_ids[0],
        phone=phone,
        wa_ids=wa_ids,
        kind=kind,
        text=text,
        push_name=str(message.get("name") or ""),
        media=media,
        payload=payload,
        timestamp=timestamp_from_seconds(message.get("timestamp")),
        sent_by_api=bool(message.get("sentByApi")),
        raw={k: v for k, v in message.items() if k != "media"},
    )


def _party(name: str, obj: dict) -> tuple[str | None, tuple[str, ...]]:
    """(phone, ids) of the chat named by ``from`` (a phone) and/or ``lid``."""
    sender, lid = obj.get("from"), obj.get("lid")
    phone = None
    if sender:
        try:
            phone = normalize_phone(str(sender))
        except InvalidPhone as exc:
            raise WebhookPayloadError(f"{name}.from: {exc}") from None
    if lid is not None and not isinstance(lid, str):
        raise WebhookPayloadError(f"{name}.lid is not a string")
    return phone, tuple(i for i in (f"{phone}@s.whatsapp.net" if phone else None, lid) if i)


def _revision(event: str, revision: Any) -> MessageEditEvent | MessageDeleteEvent:
    if not isinstance(revision, dict) or not isinstance(revision.get("id"), str):
        raise WebhookPayloadError(f"{event}.id is missing")
    timestamp = timestamp_from_seconds(revision.get("timestamp"))
    # The chat, when the body names it (as a message does): "" / None otherwise.
    phone, wa_ids = _party(event, revision)
    chat_id = wa_ids[0] if wa_ids else ""
    if event == "delete":
        return MessageDeleteEvent(
            provider_message_id=revision["id"],
            timestamp=timestamp,
            chat_id=chat_id,
            phone=phone,
            raw=revision,
        )
    if not isinstance(revision.get("text"), str):
        raise WebhookPayloadError("edit.text is not a string")
    return MessageEditEvent(
        provider_message_id=revision["id"],
        text=revision["text"],
        timestamp=timestamp,
        chat_id=chat_id,
        phone=phone,
        raw=revision,
    )


def _status(status: Any) -> StatusEvent:
    if not isinstance(status, dict) or not isinstance(status.get("id"), str):
        raise WebhookPayloadError("status.id is missing")
    if status.get("status") not in STATUSES:
        raise WebhookPayloadError("status.status is not SENT, DELIVERED, READ or FAILED")
    return StatusEvent(
        provider_message_id=status["id"],
        status=status["status"],
        error=str(status.get("error") or ""),
    )


def _base64_size(data: str) -> int:
    """The decoded size of base64 text (a data: URI's too), without decoding it."""
    encoded = data.partition(",")[2] if data.startswith("data:") else data
    return (len(encoded) * 3) // 4 - encoded[-2:].count("=")
