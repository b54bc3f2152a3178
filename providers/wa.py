"""Reading WhatsApp Web message protos as JSON (Baileys' ``WAMessage``).

Evolution API and Baileys bridges both forward Baileys' JSON rendering of
the protobuf message, so the content rules live here once: which key holds
the content, the wrappers to unwrap, and how each type maps to our kinds.
Provider JSON goes no further than the adapters; this module is part of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contacts.phones import InvalidPhone, is_group, normalize_phone
from providers.base import (
    IgnoredEvent,
    InboundMedia,
    MessageDeleteEvent,
    MessageEditEvent,
    WebhookPayloadError,
)
from providers.wa_interactive import interactive_reply

# Wrappers whose ``message`` holds the real content.
_WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
)
# Keys next to the content that are not content.
_NOT_CONTENT = {"messageContextInfo", "base64", "mediaUrl", "speechToText", "contextInfo"}

_MEDIA_TYPES = {
    "imageMessage": "image",
    "videoMessage": "video",
    "audioMessage": "audio",
    "documentMessage": "document",
    "stickerMessage": "sticker",
    "ptvMessage": "video",
}
_INTERACTIVE_TYPES = {
    "buttonsResponseMessage",
    "listResponseMessage",
    "templateButtonReplyMessage",
    "interactiveResponseMessage",
}
# Protocol chatter that is not a message in the conversation.
IGNORED_TYPES = {
    "protocolMessage",
    "senderKeyDistributionMessage",
    "editedMessage",
    "pollUpdateMessage",
    "keepInChatMessage",
    "pinInChatMessage",
    "messageHistoryBundle",
}
# Fields that carry bytes (thumbnails, keys): dropped from stored raw payloads.
_BULKY_FIELDS = {
    "jpegThumbnail",
    "thumbnail",
    "base64",
    "mediaKey",
    "fileSha256",
    "fileEncSha256",
    "waveform",
    "streamingSidecar",
    "thumbnailSha256",
    "thumbnailEncSha256",
    "pngThumbnail",
    "midQualityFileSha256",
    "midQualityFileEncSha256",
    "scansSidecar",
}


@dataclass
class Content:
    kind: str
    text: str = ""
    media: InboundMedia | None = None
    payload: dict = field(default_factory=dict)
    ignored_reason: str = ""


def as_int(value: Any) -> int | None:
    """Baileys int64s arrive as numbers, numeric strings or ``{low, high, unsigned}``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        # isdecimal, not isdigit: "²" is a digit int() refuses.
        return int(value) if value.strip().lstrip("-").isdecimal() else None
    if isinstance(value, dict) and "low" in value:
        low, high = as_int(value.get("low")), as_int(value.get("high"))
        if low is None and high is None:
            return None
        return ((high or 0) & 0xFFFFFFFF) << 32 | ((low or 0) & 0xFFFFFFFF)
    return None


def _seconds(value: Any) -> float | None:
    seconds = as_int(value)
    return float(seconds) if seconds is not None else None


def timestamp_from_seconds(value: Any) -> datetime | None:
    seconds = as_int(value)
    if seconds is None or seconds <= 0:
        return None
    # Some gateways send milliseconds where seconds are documented.
    if seconds > 10**11:
        seconds //= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):  # past year 9999: not a timestamp
        return None


def phone_from_jid(jid: str | None) -> str | None:
    """The phone digits of a ``…@s.whatsapp.net`` JID; None for lids, groups or junk."""
    if not jid or not isinstance(jid, str) or not jid.endswith(("@s.whatsapp.net", "@c.us")):
        return None
    try:
        return normalize_phone(jid)
    except InvalidPhone:
        return None


def bare_jid(jid: str) -> str:
    """Drop a device suffix: '5511…:12@s.whatsapp.net' → '5511…@s.whatsapp.net'."""
    user, at, server = jid.partition("@")
    return f"{user.split(':', 1)[0]}{at}{server}"


def party_ids(*jids: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(phone, every distinct id) for one remote party seen under several JIDs."""
    ids: list[str] = []
    phone = None
    for jid in jids:
        if not jid or not isinstance(jid, str) or "@" not in jid:
            continue
        jid = bare_jid(jid)
        if jid not in ids:
            ids.append(jid)
        if phone is None:
            phone = phone_from_jid(jid)
    return phone, tuple(ids)


def is_group_jid(jid: str | None) -> bool:
    return bool(jid) and is_group(jid)


def chat_of(key: Any) -> tuple[str, str | None]:
    """(chat_id, phone) of a message key written from our side, as
    ``MessageEvent`` names them: the remote JID, and for a one-to-one chat
    the phone digits of that JID, its ``remoteJidAlt`` or ``senderPn``
    (a group has no phone). ("", None) when the key names no chat."""
    if not isinstance(key, dict):
        return "", None
    remote_jid = key.get("remoteJid")
    if not isinstance(remote_jid, str) or "@" not in remote_jid:
        return "", None
    if is_group_jid(remote_jid):
        return remote_jid, None
    phone, _ = party_ids(remote_jid, key.get("remoteJidAlt"), key.get("senderPn"))
    return remote_jid, phone


def unwrap(message: dict) -> dict:
    for _ in range(3):
        for wrapper in _WRAPPERS:
            inner = message.get(wrapper)
            if isinstance(inner, dict) and isinstance(inner.get("message"), dict):
                message = inner["message"]
                break
        else:
            return message
    return message


def content_type(message: dict, hint: str | None = None) -> str | None:
    if hint and hint in message and hint not in _NOT_CONTENT:
        return hint
    for key, value in message.items():
        if key not in _NOT_CONTENT and isinstance(value, dict | str):
            return key
    return None


def strip_bulky(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_bulky(v) for k, v in value.items() if k not in _BULKY_FIELDS}
    if isinstance(value, list):
        return [strip_bulky(v) for v in value]
    return value


# Reasons a real WhatsApp message carries nothing to store: WhatsApp sends a
# placeholder before content a companion device could not decrypt yet, and
# view-once media reaches linked devices without its content.
NO_CONTENT = "no content (placeholder or view-once)"


def parse_content(message: Any, *, hint: str | None = None, media_ref: dict) -> Content:
    """Map one WAMessage ``message`` to kind, text, media and payload."""
    if message is None or message == {}:
        return Content(kind="unsupported", ignored_reason=NO_CONTENT)
    if not isinstance(message, dict):
        raise WebhookPayloadError("the message is not an object")
    message = unwrap(message)
    kind_key = content_type(message, hint)
    if kind_key is None:
        return Content(kind="unsupported", ignored_reason=NO_CONTENT)
    body = message[kind_key]
    if kind_key in IGNORED_TYPES:
        return Content(kind="unsupported", ignored_reason=kind_key)
    if kind_key == "conversation":
        if not isinstance(body, str):
            raise WebhookPayloadError("conversation is not a string")
        return Content(kind="text", text=body)
    if not isinstance(body, dict):
        raise WebhookPayloadError(f"{kind_key} is not an object")
    payload: dict = {}
    quoted = (body.get("contextInfo") or {}).get("stanzaId")
    if quoted:
        payload["quotedId"] = quoted

    if kind_key == "extendedTextMessage":
        return Content(kind="text", text=str(body.get("text") or ""), payload=payload)
    if kind_key in _MEDIA_TYPES:
        kind = _MEDIA_TYPES[kind_key]
        if kind == "audio" and body.get("ptt"):
            kind = "voice"
        if kind_key == "ptvMessage":
            payload["videoNote"] = True
        if kind == "video" and body.get("gifPlayback"):
            payload["gif"] = True
        media = InboundMedia(
            mimetype=str(body.get("mimetype") or ""),
            filename=str(body.get("fileName") or ""),
            size=as_int(body.get("fileLength")),
            duration=_seconds(body.get("seconds")),
            ref=media_ref,
        )
        return Content(kind=kind, text=str(body.get("caption") or ""), media=media, payload=payload)
    if kind_key in ("locationMessage", "liveLocationMessage"):
        payload.update(
            latitude=body.get("degreesLatitude"),
            longitude=body.get("degreesLongitude"),
            name=body.get("name") or "",
            address=body.get("address") or "",
        )
        if kind_key == "liveLocationMessage":
            payload["live"] = True
        text = " — ".join(p for p in (payload["name"], payload["address"]) if p)
        return Content(kind="location", text=text, payload=payload)
    if kind_key == "contactMessage":
        payload.update(name=body.get("displayName") or "", vcard=body.get("vcard") or "")
        return Content(kind="contact", text=payload["name"], payload=payload)
    if kind_key == "contactsArrayMessage":
        contacts = [
            {"name": c.get("displayName") or "", "vcard": c.get("vcard") or ""}
            for c in body.get("contacts") or []
            if isinstance(c, dict)
        ]
        payload.update(name=body.get("displayName") or "", contacts=contacts)
        names = ", ".join(c["name"] for c in contacts if c["name"])
        return Content(kind="contact", text=names, payload=payload)
    if kind_key == "reactionMessage":
        target = (body.get("key") or {}).get("id") or ""
        payload.update(emoji=body.get("text") or "", targetId=target)
        return Content(kind="reaction", text=payload["emoji"], payload=payload)
    if kind_key in _INTERACTIVE_TYPES:
        # A tap: a text, the option's title, with the option (messaging.inbound.replies).
        reply_id, title = interactive_reply(kind_key, body)
        payload["reply"] = {"id": reply_id, "title": title}
        return Content(kind="text", text=title, payload=payload)
    return Content(kind="unsupported", payload={"type": kind_key})


# --- edits and deletions ---------------------------------------------------------

# proto.Message.ProtocolMessage.Type, as a name (Baileys' JSON) or a number
# (gateways that copy the decoded object). REVOKE is 0, the enum's default,
# which some encoders leave out: a protocol message naming a key with no type
# and no edited content is a revoke.
# https://github.com/WhiskeySockets/Baileys/blob/master/WAProto/WAProto.proto
_REVOKE = {"REVOKE", "0"}
_MESSAGE_EDIT = {"MESSAGE_EDIT", "14"}
_CAPTIONED = ("imageMessage", "videoMessage", "documentMessage")


def protocol_message(message: Any) -> dict | None:
    """The ``protocolMessage`` of a WAMessage's content, or None.

    An edit made on a phone arrives wrapped as ``editedMessage: {message:
    {protocolMessage}}``; a revoke or an edit from WhatsApp Web comes bare.
    """
    if not isinstance(message, dict):
        return None
    message = unwrap(message)
    edited = message.get("editedMessage")
    if isinstance(edited, dict) and isinstance(edited.get("message"), dict):
        message = unwrap(edited["message"])
    protocol = message.get("protocolMessage")
    if protocol is None:
        return None
    if not isinstance(protocol, dict):
        raise WebhookPayloadError("protocolMessage is not an object")
    return protocol


def edited_text(content: Any) -> str | None:
    """The new text of an edit (the body, or a media caption); None when it has none."""
    if not isinstance(content, dict):
        return None
    content = unwrap(content)
    if isinstance(content.get("protocolMessage"), dict):
        return edited_text(content["protocolMessage"].get("editedMessage"))
    if isinstance(content.get("conversation"), str):
        return content["conversation"]
    extended = content.get("extendedTextMessage")
    if isinstance(extended, dict) and isinstance(extended.get("text"), str):
        return extended["text"]
    for key in _CAPTIONED:
        media = content.get(key)
        if isinstance(media, dict) and isinstance(media.get("caption"), str):
            return media["caption"]
    return None


def revision_from_protocol(
    protocol: dict,
    *,
    event_type: str,
    timestamp: Any = None,
    raw: dict | None = None,
    chat: tuple[str, str | None] = ("", None),
) -> MessageEditEvent | MessageDeleteEvent | IgnoredEvent:
    """A protocol message as an edit, a deletion, or protocol chatter to ignore.

    The target is ``protocol.key.id``; ``timestampMs`` (when the edit was
    made) wins over the carrying message's timestamp. ``chat`` is the
    (chat_id, phone) the caller read from the carrying message's key
    (``chat_of``): the protocol key itself is written from the sender's
    side, so on a customer's edit its ``remoteJid`` is our own number.
    """
    chat_id, phone = chat
    key = protocol.get("key")
    kind = str(protocol.get("type", "")).upper()
    if not isinstance(key, dict) and not kind:
        return IgnoredEvent(event_type=event_type, reason="protocolMessage without a target key")
    target = key.get("id") if isinstance(key, dict) else None
    is_edit = kind in _MESSAGE_EDIT or (not kind and "editedMessage" in protocol)
    is_revoke = kind in _REVOKE or (not kind and "editedMessage" not in protocol)
    if not (is_edit or is_revoke):
        return IgnoredEvent(event_type=event_type, reason=f"protocolMessage {kind}")
    if not isinstance(target, str) or not target:
        return IgnoredEvent(event_type=event_type, reason="protocolMessage without a target key")
    when = timestamp_from_seconds(protocol.get("timestampMs")) or timestamp_from_seconds(timestamp)
    raw = strip_bulky(raw if raw is not None else protocol)
    if is_revoke:
        return MessageDeleteEvent(
            provider_message_id=target, timestamp=when, chat_id=chat_id, phone=phone, raw=raw
        )
    text = edited_text(protocol.get("editedMessage"))
    if text is None:
        return IgnoredEvent(event_type=event_type, reason="edit without text")
    return MessageEditEvent(
        provider_message_id=target,
        text=text,
        timestamp=when,
        chat_id=chat_id,
        phone=phone,
        raw=raw,
    )
