"""Evolution API v2 webhooks → normalized events.

Envelope (``webhook.controller.ts``): ``{event, instance, data, destination,
date_time, sender, server_url, apikey}``. Event names arrive dotted
(``messages.upsert``) or, from older setups, upper snake (``MESSAGES_UPSERT``).
https://doc.evolution-api.com/v2/en/configuration/webhooks
"""

from __future__ import annotations

from typing import Any

from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    MessageDeleteEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    WebhookEvent,
    WebhookPayloadError,
)
from providers.wa import (
    bare_jid,
    chat_of,
    is_group_jid,
    parse_content,
    party_ids,
    phone_from_jid,
    protocol_message,
    revision_from_protocol,
    strip_bulky,
    timestamp_from_seconds,
)

# Evolution's renderStatus names (and Baileys' numeric WAMessageStatus).
STATUS_MAP = {
    "ERROR": "FAILED",
    "0": "FAILED",
    "PENDING": "PENDING",
    "1": "PENDING",
    "SERVER_ACK": "SENT",
    "2": "SENT",
    "DELIVERY_ACK": "DELIVERED",
    "3": "DELIVERED",
    "READ": "READ",
    "4": "READ",
    "PLAYED": "READ",
    "5": "READ",
}

CONNECTION_MAP = {
    "open": "CONNECTED",
    "connecting": "CONNECTING",
    "close": "DISCONNECTED",
    "refused": "DISCONNECTED",
}


def event_name(body: dict) -> str:
    return str(body.get("event") or "").strip().lower().replace("_", ".")


def parse(body: Any) -> list[WebhookEvent]:
    if not isinstance(body, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    name = event_name(body)
    if not name:
        raise WebhookPayloadError("the body has no 'event'")
    if "data" not in body:
        raise WebhookPayloadError("the body has no 'data'")
    data = body["data"]
    if name == "messages.upsert":
        return [parse_message(item, echo=False) for item in _items(data)]
    if name == "send.message":
        # Sent through Evolution's own API (emitOwnEvents is off, so these
        # come here rather than as messages.upsert): echoes of our sends.
        return [parse_message(item, echo=True) for item in _items(data)]
    if name in ("messages.update", "send.message.update"):
        return [parse_status(item) for item in _items(data)]
    if name == "messages.edited":
        # 2.3.x posts every protocol message here, edits and revokes alike,
        # with the protocolMessage itself as data (whatsapp.baileys.service.ts).
        return [parse_edited(item, own_jid=body.get("sender")) for item in _items(data)]
    if name == "messages.delete":
        # data is the deleted message's key.
        return [parse_delete(item) for item in _items(data)]
    if name == "connection.update":
        return [parse_connection(data)]
    if name == "qrcode.updated":
        return [parse_qrcode(data)]
    return [IgnoredEvent(event_type=name, reason="event not used")]


def _items(data: Any) -> list[dict]:
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise WebhookPayloadError("'data' is not an object")
    return items


def parse_message(data: dict, *, echo: bool) -> WebhookEvent:
    key = data.get("key")
    if not isinstance(key, dict):
        raise WebhookPayloadError("the message has no 'key'")
    message_id = key.get("id")
    remote_jid = key.get("remoteJid")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("the message key has no 'id'")
    if not isinstance(remote_jid, str) or "@" not in remote_jid:
        raise WebhookPayloadError("the message key has no valid 'remoteJid'")
    if remote_jid == "status@broadcast":
        return IgnoredEvent(event_type="messages.upsert", reason="status broadcast")
    message = data.get("message")
    protocol = protocol_message(message)
    if protocol is not None:
        # ≤2.2.x posts edits as an upsert of messageType "editedMessage" (the
        # protocolMessage wrapped in editedMessage.message) or "protocolMessage".
        return revision_from_protocol(
            protocol,
            event_type="messages.upsert",
            timestamp=data.get("messageTimestamp"),
            raw=data,
            chat=chat_of(key),
        )
    from_me = bool(key.get("fromMe"))
    media_ref: dict = {"id": message_id, "key": _short_key(key)}
    if isinstance(message, dict):
        if isinstance(message.get("base64"), str) and message["base64"]:
            media_ref["base64"] = message["base64"]
        if isinstance(message.get("mediaUrl"), str) and message["mediaUrl"]:
            media_ref["url"] = message["mediaUrl"]
    content = parse_content(message, hint=data.get("messageType"), media_ref=media_ref)
    if content.ignored_reason:
        return IgnoredEvent(event_type="messages.upsert", reason=content.ignored_reason)
    # 2.2+ moves extendedTextMessage.contextInfo (quotes) to data.contextInfo.
    context = data.get("contextInfo")
    if isinstance(context, dict) and context.get("stanzaId"):
        content.payload.setdefault("quotedId", context["stanzaId"])
    if content.media is not None:
        if isinstance(message, dict) and isinstance(message.get("mimetype"), str):
            media_ref.setdefault("mimetype", message["mimetype"])
        media_ref.setdefault("mimetype", content.media.mimetype)

    is_group = is_group_jid(remote_jid)
    if is_group:
        participant_phone, participant_ids = party_ids(
            key.get("participant"), key.get("participantAlt"), key.get("participantPn")
        )
        phone, wa_ids = None, (remote_jid,)
        content.payload["participant"] = {
            "phone": participant_phone,
            "waIds": list(participant_ids),
            "name": "" if from_me else str(data.get("pushName") or ""),
        }
    else:
        # ≥2.3.5 may key the chat by '@lid' with the phone JID in
        # remoteJidAlt (or the reverse in 'pn' addressing mode).
        # remoteJidAlt (or the reverse in 'pn' addressing mode); Baileys 6.7
        # builds name it senderPn.
        phone, wa_ids = party_ids(remote_jid, key.get("remoteJidAlt"), key.get("senderPn"))
    push_name = "" if from_me else str(data.get("pushName") or "")
    raw = strip_bulky(data)
    return MessageEvent(
        provider_message_id=message_id,
        from_me=from_me,
        chat_id=remote_jid,
        phone=phone,
        wa_ids=wa_ids,
        kind=content.kind,
        text=content.text,
        push_name=push_name,
        media=content.media,
        payload=content.payload,
        timestamp=timestamp_from_seconds(data.get("messageTimestamp")),
        is_group=is_group,
        # API sends are 'send.message'; when one shows up as messages.upsert
        # (issue #1340) its status is still PENDING, while a message typed
        # on the phone arrives as SERVER_ACK.
        sent_by_api=echo or (from_me and data.get("status") == "PENDING"),
        raw=raw,
    )


def _short_key(key: dict) -> dict:
    return {k: key[k] for k in ("remoteJid", "fromMe", "id", "participant") if k in key}


def parse_status(data: dict) -> WebhookEvent:
    message_id = data.get("keyId") or (data.get("key") or {}).get("id")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("the status update has no message id")
    raw_status = data.get("status")
    if raw_status is None and isinstance(data.get("update"), dict):
        raw_status = data["update"].get("status")
    if raw_status is None:
        return IgnoredEvent(event_type="messages.update", reason="no status in the update")
    if str(raw_status).upper() == "DELETED":
        # Evolution records a revoke as an update with status DELETED too,
        # keyed like the message (keyId, remoteJid, fromMe, participant).
        chat_id, phone = _key_chat(data)
        return MessageDeleteEvent(
            provider_message_id=message_id,
            timestamp=timestamp_from_seconds(data.get("messageTimestamp")),
            chat_id=chat_id,
            phone=phone,
            raw=data,
        )
    status = STATUS_MAP.get(str(raw_status).upper())
    if status is None:
        return IgnoredEvent(event_type="messages.update", reason=f"status {raw_status}")
    from_me = data.get("fromMe")
    if from_me is None:
        from_me = (data.get("key") or {}).get("fromMe")
    if from_me is False:
        # Receipts for the customer's messages (our own reads): not a delivery status.
        return IgnoredEvent(event_type="messages.update", reason="receipt for an inbound message")
    return StatusEvent(
        provider_message_id=message_id,
        status=status,
        error="the gateway reported an error" if status == "FAILED" else "",
        timestamp=timestamp_from_seconds(data.get("messageTimestamp")),
    )


def parse_edited(data: dict, *, own_jid: Any = None) -> WebhookEvent:
    """``messages.edited``: data is the protocolMessage
    ``{key, type, editedMessage?, timestampMs?}``."""
    # Protocol messages that name no message (history sync notices, app
    # state keys) come here too: revision_from_protocol records them as ignored.
    return revision_from_protocol(
        data, event_type="messages.edited", raw=data, chat=_edited_chat(data, own_jid)
    )


def _edited_chat(protocol: dict, own_jid: Any) -> tuple[str, str | None]:
    """The chat of a ``messages.edited`` protocolMessage, where it tells.

    Its key is written from the sender's side (Baileys sends ``{edit: key}``
    as stored by the sender): for an edit or deletion made on our own phone
    ``remoteJid`` is the customer's chat, for the customer's own it is our
    number (the envelope's ``sender``), and the carrying message's key is
    not in the webhook. So the chat is ``remoteJid`` when it is a group or
    a phone JID other than ours; our number, an ``@lid`` (ours or theirs,
    no telling) or no envelope sender leave it unknown.
    """
    key = protocol.get("key")
    jid = key.get("remoteJid") if isinstance(key, dict) else None
    if not isinstance(jid, str) or "@" not in jid:
        return "", None
    if is_group_jid(jid):
        return jid, None
    phone = phone_from_jid(bare_jid(jid))
    own = phone_from_jid(bare_jid(own_jid)) if isinstance(own_jid, str) else None
    if phone is None or own is None or phone == own:
        return "", None
    return jid, phone


def _key_chat(data: dict) -> tuple[str, str | None]:
    """(chat_id, phone) of a message key given flat in data or as data.key."""
    return chat_of(data if "remoteJid" in data else data.get("key"))


def parse_delete(data: dict) -> WebhookEvent:
    """``messages.delete``: data is the revoked message's key ``{remoteJid, fromMe, id}``."""
    message_id = data.get("id") or (data.get("key") or {}).get("id")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("messages.delete has no message id")
    chat_id, phone = _key_chat(data)
    return MessageDeleteEvent(
        provider_message_id=message_id, chat_id=chat_id, phone=phone, raw=data
    )


def parse_connection(data: Any) -> WebhookEvent:
    if not isinstance(data, dict) or not isinstance(data.get("state"), str):
        raise WebhookPayloadError("connection.update has no 'state'")
    status = CONNECTION_MAP.get(data["state"])
    if status is None:
        return IgnoredEvent(event_type="connection.update", reason=f"state {data['state']}")
    reason = "" if data.get("statusReason") in (None, 200) else f"reason {data['statusReason']}"
    if data["state"] == "refused":
        reason = "QR code limit reached" + (f" ({reason})" if reason else "")
    return ConnectionEvent(
        status=status, reason=reason, phone_number=phone_from_jid(data.get("wuid")) or ""
    )


def parse_qrcode(data: Any) -> WebhookEvent:
    qrcode = data.get("qrcode") if isinstance(data, dict) else None
    if not isinstance(qrcode, dict):
        raise WebhookPayloadError("qrcode.updated has no 'qrcode'")
    code = qrcode.get("base64") or qrcode.get("code")
    if not isinstance(code, str) or not code:
        raise WebhookPayloadError("qrcode.updated has no code")
    return QrCodeEvent(qr_code=code, pairing_code=str(qrcode.get("pairingCode") or ""))
