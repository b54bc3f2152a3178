"""UAZapi v2 (uazapiGO) webhooks → normalized events.

Real traffic (not the OpenAPI ``WebhookEvent`` schema) is
``{BaseUrl, EventType, chat, message, instanceName, owner, token}``.
Quirks: ``message.sender`` is usually an ``@lid`` — the phone is in
``sender_pn``/``chatid``; ``messageTimestamp`` is in milliseconds;
``content`` is a string for plain text and an object otherwise; receipts
batch several ``MessageIDs`` and booleans may arrive as "True"/"False".
https://docs.uazapi.com/
"""

from __future__ import annotations

from typing import Any

from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    InboundMedia,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    WebhookEvent,
    WebhookPayloadError,
)
from providers.wa import as_int, is_group_jid, party_ids, phone_from_jid, timestamp_from_seconds

_MEDIA = {
    "imagemessage": "image",
    "videomessage": "video",
    "audiomessage": "audio",
    "documentmessage": "document",
    "stickermessage": "sticker",
    "ptvmessage": "video",
}
_TEXT = {"conversation", "extendedtextmessage"}
_IGNORED = {"protocolmessage", "senderkeydistributionmessage", "pollupdatemessage", "editedmessage"}

RECEIPT_MAP = {
    "sent": "SENT",
    "serverack": "SENT",
    "delivered": "DELIVERED",
    "read": "READ",
    "readself": None,  # our other device read the chat
    "played": "READ",
    "playedself": None,
    "failed": "FAILED",
    "error": "FAILED",
}

CONNECTION_MAP = {
    "connected": "CONNECTED",
    "connecting": "CONNECTING",
    "disconnected": "DISCONNECTED",
    "hibernated": "DISCONNECTED",
}


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def parse(body: Any) -> list[WebhookEvent]:
    if not isinstance(body, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    event_type = body.get("EventType")
    if not isinstance(event_type, str) or not event_type:
        raise WebhookPayloadError("the body has no 'EventType'")
    if event_type == "messages":
        return [parse_message(body)]
    if event_type == "messages_update":
        return parse_receipt(body)
    if event_type == "connection":
        return parse_connection(body)
    return [IgnoredEvent(event_type=event_type, reason="event not used")]


def parse_message(body: dict) -> WebhookEvent:
    message = body.get("message")
    if not isinstance(message, dict):
        raise WebhookPayloadError("messages event has no 'message'")
    message_id = message.get("messageid")
    chat_id = message.get("chatid")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("the message has no 'messageid'")
    if not isinstance(chat_id, str) or "@" not in chat_id:
        raise WebhookPayloadError("the message has no valid 'chatid'")
    message_type = str(message.get("messageType") or "").lower()
    edited = message.get("edited")
    if isinstance(edited, str) and edited:
        # An edit arrives as a message of its own whose 'edited' names the
        # original messageid, with the new text in 'text' (real captures:
        # TitoBahe/uazapi-webhook-events-examples messages/*/text.edited.json).
        text = message.get("text")
        if not isinstance(text, str):
            content = message.get("content")
            text = content.get("text") if isinstance(content, dict) else content
        is_group = truthy(message.get("isGroup")) or is_group_jid(chat_id)
        phone = None if is_group else _party(message, chat_id)[0]
        return MessageEditEvent(
            provider_message_id=edited,
            text=text if isinstance(text, str) else "",
            timestamp=timestamp_from_seconds(message.get("messageTimestamp")),
            chat_id=chat_id,
            phone=phone,
            raw=_raw(message),
        )
    if message_type in _IGNORED:
        return IgnoredEvent(event_type="messages", reason=message.get("messageType"))
    from_me = truthy(message.get("fromMe"))
    chat = body.get("chat") if isinstance(body.get("chat"), dict) else {}
    content = message.get("content")
    obj = content if isinstance(content, dict) else {}
    text = message.get("text")
    text = text if isinstance(text, str) else (content if isinstance(content, str) else "")
    payload: dict = {}
    quoted = message.get("quoted") or (obj.get("contextInfo") or {}).get("stanzaId")
    if quoted:
        payload["quotedId"] = quoted
    media = None

    reply = _reply(message, obj, text) if message_type not in _MEDIA else None
    if reply is not None:
        # A tap on buttons or a list (messaging.inbound.replies).
        kind, text = "text", reply["title"]
        payload["reply"] = reply
    elif message_type in _TEXT:
        kind = "text"
        if not text:
            text = str(obj.get("text") or "")
    elif message_type in _MEDIA:
        kind = _MEDIA[message_type]
        if kind == "audio" and (
            truthy(obj.get("PTT")) or truthy(obj.get("ptt")) or message.get("mediaType") == "ptt"
        ):
            kind = "voice"
        if message.get("mediaType") == "gif" or truthy(obj.get("gifPlayback")):
            payload["gif"] = True
        seconds = as_int(obj.get("seconds"))
        media = InboundMedia(
            mimetype=str(obj.get("mimetype") or ""),
            filename=str(obj.get("fileName") or ""),
            size=as_int(obj.get("fileLength")),
            duration=float(seconds) if seconds is not None else None,
            ref={"messageid": message_id, "mimetype": str(obj.get("mimetype") or "")},
        )
        if not text:
            text = str(obj.get("caption") or "")
    elif message_type == "locationmessage":
        kind = "location"
        payload.update(
            latitude=obj.get("degreesLatitude"),
            longitude=obj.get("degreesLongitude"),
            name=obj.get("name") or "",
            address=obj.get("address") or "",
        )
        text = " — ".join(p for p in (payload["name"], payload["address"]) if p)
    elif message_type == "contactmessage":
        kind = "contact"
        payload.update(name=obj.get("displayName") or "", vcard=obj.get("vcard") or "")
        text = payload["name"] or text
    elif message_type == "reactionmessage":
        kind = "reaction"
        target = message.get("reaction") or (obj.get("key") or {}).get("ID") or ""
        emoji = obj.get("text") if isinstance(obj.get("text"), str) else text
        payload.update(emoji=emoji, targetId=target)
        payload.pop("quotedId", None)
        text = emoji
    else:
        kind = "unsupported"
        payload["type"] = message.get("messageType") or ""

    is_group = truthy(message.get("isGroup")) or is_group_jid(chat_id)
    if is_group:
        participant_phone, participant_ids = party_ids(
            message.get("sender_pn"), message.get("sender_lid") or message.get("sender")
        )
        phone, wa_ids = None, (chat_id,)
        payload["participant"] = {
            "phone": participant_phone,
            "waIds": list(participant_ids),
            "name": "" if from_me else str(message.get("senderName") or ""),
        }
        if message.get("groupName") and message["groupName"] != "Unknown":
            payload["groupName"] = message["groupName"]
    else:
        phone, wa_ids = _party(message, chat_id)
    push_name = ""
    if not from_me:
        push_name = str(message.get("senderName") or chat.get("wa_name") or "")
    return MessageEvent(
        provider_message_id=message_id,
        from_me=from_me,
        chat_id=chat_id,
        phone=phone,
        wa_ids=wa_ids,
        kind=kind,
        text=text,
        push_name=push_name,
        media=media,
        payload=payload,
        timestamp=timestamp_from_seconds(message.get("messageTimestamp")),
        is_group=is_group,
        sent_by_api=truthy(message.get("wasSentByApi")),
        raw=_raw(message),
    )


def _party(message: dict, chat_id: str) -> tuple[str | None, tuple[str, ...]]:
    """(phone, ids) of the other party of a one-to-one chat."""
    # chatid is the other party's phone JID whoever sent the message;
    # sender is our own number on fromMe messages and often a lid otherwise.
    extra = (
        ()
        if truthy(message.get("fromMe"))
        else (message.get("sender_pn"), message.get("sender_lid"))
    )
    return party_ids(chat_id, message.get("chatlid"), *extra)


def _raw(message: dict) -> dict:
    content = message.get("content")
    if isinstance(content, dict):
        content = {k: v for k, v in content.items() if k not in ("JPEGThumbnail", "waveform")}
    return {**message, "content": content}


def parse_receipt(body: dict) -> list[WebhookEvent]:
    event = body.get("event")
    if not isinstance(event, dict):
        raise WebhookPayloadError("messages_update has no 'event'")
    ids = event.get("MessageIDs")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise WebhookPayloadError("messages_update has no 'MessageIDs' list")
    if truthy(event.get("IsFromMe")):
        return [IgnoredEvent(event_type="messages_update", reason="receipt sent by us")]
    raw_type = str(event.get("Type") or body.get("state") or "").replace(" ", "").lower()
    status = RECEIPT_MAP.get(raw_type)
    if status is None:
        return [IgnoredEvent(event_type="messages_update", reason=f"receipt type {raw_type!r}")]
    timestamp = timestamp_from_seconds(event.get("Timestamp"))
    return [
        StatusEvent(provider_message_id=message_id, status=status, timestamp=timestamp)
        for message_id in ids
    ]


def parse_connection(body: dict) -> list[WebhookEvent]:
    instance = body.get("instance")
    if not isinstance(instance, dict) or not isinstance(instance.get("status"), str):
        raise WebhookPayloadError("connection event has no 'instance.status'")
    events: list[WebhookEvent] = []
    status = CONNECTION_MAP.get(instance["status"].lower(), "UNKNOWN")
    reason = str(instance.get("lastDisconnectReason") or body.get("type") or "")
    if status != "DISCONNECTED":
        reason = ""
    events.append(
        ConnectionEvent(
            status=status,
            reason=reason,
            phone_number=phone_from_jid(f"{body.get('owner')}@s.whatsapp.net") or ""
            if status == "CONNECTED" and body.get("owner")
            else "",
        )
    )
    # Connecting by phone number (`POST /instance/connect {phone}`) sends a
    # `paircode` and no `qrcode`; by QR code, the reverse.
    qr_code, pairing_code = instance.get("qrcode") or "", instance.get("paircode") or ""
    if status == "CONNECTING" and (qr_code or pairing_code):
        events.append(QrCodeEvent(qr_code=str(qr_code), pairing_code=str(pairing_code)))
    return events


def _reply(message: dict, obj: dict, text: str) -> dict | None:
    """``buttonOrListid`` names the option tapped, ``text`` its title; the
    content keeps WhatsApp's own fields (``selectedButtonID``,
    ``singleSelectReply.selectedRowID``, ``selectedDisplayText``, ``title``)."""
    reply_id = message.get("buttonOrListid")
    if not reply_id:
        single = (
            obj.get("singleSelectReply") if isinstance(obj.get("singleSelectReply"), dict) else {}
        )
        reply_id = (
            obj.get("selectedButtonID") or obj.get("selectedID") or single.get("selectedRowID")
        )
    if not isinstance(reply_id, str) or not reply_id:
        return None
    title = text or obj.get("selectedDisplayText") or obj.get("title") or ""
    return {"id": reply_id, "title": str(title)}
