"""Raw Baileys events, as a bridge forwards them → normalized events.

The bridge POSTs ``{"event": <Baileys event name>, "data": <the event
payload exactly as Baileys emitted it>}`` (see docs/PROVIDERS.md):

- ``messages.upsert``: ``{messages: [WAMessage], type: "notify" | "append"}``
- ``messages.update``: ``[{key, update: {status}}]`` (WAMessageStatus numbers);
  Baileys also reports an edit here as ``update: {message: {editedMessage:
  {message: <new content>}}}`` and a revoke as ``update: {message: null,
  messageStubType: 1}``, keyed by the target message (``process-message.ts``)
- ``message-receipt.update``: ``[{key, receipt: {userJid, receiptTimestamp, readTimestamp}}]``
- ``connection.update``: ``{connection?: "open"|"connecting"|"close", qr?, lastDisconnect?}``
https://baileys.wiki/docs/socket/receiving-updates
"""

from __future__ import annotations

from typing import Any

from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    WebhookEvent,
    WebhookPayloadError,
)
from providers.evolution.parser import STATUS_MAP
from providers.wa import (
    chat_of,
    edited_text,
    is_group_jid,
    parse_content,
    party_ids,
    phone_from_jid,
    protocol_message,
    revision_from_protocol,
    strip_bulky,
    timestamp_from_seconds,
)

# Baileys' DisconnectReason.loggedOut: the session is gone, a new QR is needed.
LOGGED_OUT = 401


def parse(body: Any) -> list[WebhookEvent]:
    if not isinstance(body, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    name = body.get("event")
    if not isinstance(name, str) or not name:
        raise WebhookPayloadError("the body has no 'event'")
    if "data" not in body:
        raise WebhookPayloadError("the body has no 'data'")
    data = body["data"]
    if name == "messages.upsert":
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise WebhookPayloadError("messages.upsert has no 'messages' list")
        return [parse_message(m) for m in data["messages"]]
    if name == "messages.update":
        return [parse_update(item) for item in _list(data, name)]
    if name == "message-receipt.update":
        return [parse_receipt(item) for item in _list(data, name)]
    if name == "connection.update":
        return parse_connection(data)
    return [IgnoredEvent(event_type=name, reason="event not used")]


def _list(data: Any, name: str) -> list[dict]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise WebhookPayloadError(f"{name} data is not a list of objects")
    return data


def parse_message(wa_message: Any) -> WebhookEvent:
    if not isinstance(wa_message, dict) or not isinstance(wa_message.get("key"), dict):
        raise WebhookPayloadError("a message has no 'key'")
    key = wa_message["key"]
    message_id, remote_jid = key.get("id"), key.get("remoteJid")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("the message key has no 'id'")
    if not isinstance(remote_jid, str) or "@" not in remote_jid:
        raise WebhookPayloadError("the message key has no valid 'remoteJid'")
    if remote_jid == "status@broadcast":
        return IgnoredEvent(event_type="messages.upsert", reason="status broadcast")
    message = wa_message.get("message")
    if message is None and wa_message.get("messageStubType") is not None:
        return IgnoredEvent(event_type="messages.upsert", reason="stub message")
    protocol = protocol_message(message)
    if protocol is not None:
        # Edits and revokes travel as protocol messages naming their target.
        return revision_from_protocol(
            protocol,
            event_type="messages.upsert",
            timestamp=wa_message.get("messageTimestamp"),
            raw=wa_message,
            # The chat is the carrying message's (Baileys keys its own
            # messages.update for an edit the same way).
            chat=chat_of(key),
        )
    from_me = bool(key.get("fromMe"))
    # The bridge downloads media with Baileys' downloadMediaMessage, which
    # needs the key and the media fields (mediaKey, directPath, url).
    media_ref = {
        "message": {
            "key": key,
            "message": {k: _no_thumbnail(v) for k, v in (message or {}).items()},
        }
    }
    content = parse_content(message, media_ref=media_ref)
    if content.ignored_reason:
        return IgnoredEvent(event_type="messages.upsert", reason=content.ignored_reason)
    if content.media is None:
        media_ref.clear()
    is_group = is_group_jid(remote_jid)
    push_name = "" if from_me else str(wa_message.get("pushName") or "")
    if is_group:
        participant_phone, participant_ids = party_ids(
            key.get("participant") or wa_message.get("participant"),
            key.get("participantAlt"),
            key.get("participantPn"),
        )
        phone, wa_ids = None, (remote_jid,)
        content.payload["participant"] = {
            "phone": participant_phone,
            "waIds": list(participant_ids),
            "name": push_name,
        }
    else:
        # An '@lid' chat names the phone JID in remoteJidAlt (Baileys ≥6.8,
        # Evolution ≥2.3.5) or senderPn (Baileys 6.7.x).
        phone, wa_ids = party_ids(remote_jid, key.get("remoteJidAlt"), key.get("senderPn"))
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
        timestamp=timestamp_from_seconds(wa_message.get("messageTimestamp")),
        is_group=is_group,
        # Baileys gives a message it sent itself status PENDING (1); one typed
        # on the phone arrives acknowledged by the server.
        sent_by_api=from_me and str(wa_message.get("status")) in ("1", "PENDING"),
        raw=strip_bulky(wa_message),
    )


def _no_thumbnail(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in ("jpegThumbnail", "thumbnail")}
    return value


def parse_update(item: dict) -> WebhookEvent:
    key = item.get("key")
    update = item.get("update")
    if not isinstance(key, dict) or not isinstance(key.get("id"), str):
        raise WebhookPayloadError("messages.update item has no key.id")
    if isinstance(update, dict) and update.get("status") is None:
        revision = _revision_from_update(key, update)
        if revision is not None:
            return revision
    if not isinstance(update, dict) or update.get("status") is None:
        return IgnoredEvent(event_type="messages.update", reason="no status in the update")
    if key.get("fromMe") is False:
        return IgnoredEvent(event_type="messages.update", reason="receipt for an inbound message")
    status = STATUS_MAP.get(str(update["status"]).upper())
    if status is None:
        return IgnoredEvent(event_type="messages.update", reason=f"status {update['status']}")
    return StatusEvent(
        provider_message_id=key["id"],
        status=status,
        error="the gateway reported an error" if status == "FAILED" else "",
    )


def _revision_from_update(key: dict, update: dict) -> WebhookEvent | None:
    """Baileys' own rendering of an edit or a revoke, keyed by the target
    message: the carrying message's key (its chat) with the target's id."""
    when = timestamp_from_seconds(update.get("messageTimestamp"))
    chat_id, phone = chat_of(key)
    if "message" in update and update["message"] is None:
        # The content gone with no status: a revoke (messageStubType REVOKE, 1).
        return MessageDeleteEvent(
            provider_message_id=key["id"],
            timestamp=when,
            chat_id=chat_id,
            phone=phone,
            raw=update,
        )
    message = update.get("message")
    edited = message.get("editedMessage") if isinstance(message, dict) else None
    if not isinstance(edited, dict):
        return None
    text = edited_text(edited.get("message"))
    if text is None:
        return IgnoredEvent(event_type="messages.update", reason="edit without text")
    return MessageEditEvent(
        provider_message_id=key["id"],
        text=text,
        timestamp=when,
        chat_id=chat_id,
        phone=phone,
        raw=strip_bulky(update),
    )


def parse_receipt(item: dict) -> WebhookEvent:
    key = item.get("key")
    receipt = item.get("receipt")
    if not isinstance(key, dict) or not isinstance(key.get("id"), str):
        raise WebhookPayloadError("message-receipt.update item has no key.id")
    if not isinstance(receipt, dict):
        raise WebhookPayloadError("message-receipt.update item has no receipt")
    if receipt.get("readTimestamp") or receipt.get("playedTimestamp"):
        status, when = "READ", receipt.get("readTimestamp") or receipt.get("playedTimestamp")
    else:
        status, when = "DELIVERED", receipt.get("receiptTimestamp")
    return StatusEvent(
        provider_message_id=key["id"], status=status, timestamp=timestamp_from_seconds(when)
    )


def parse_connection(data: Any) -> list[WebhookEvent]:
    if not isinstance(data, dict):
        raise WebhookPayloadError("connection.update data is not an object")
    events: list[WebhookEvent] = []
    if isinstance(data.get("qr"), str) and data["qr"]:
        events.append(QrCodeEvent(qr_code=data["qr"]))
    connection = data.get("connection")
    if connection == "open":
        me = (data.get("me") or {}).get("id") if isinstance(data.get("me"), dict) else None
        events.append(ConnectionEvent(status="CONNECTED", phone_number=phone_from_jid(me) or ""))
    elif connection == "connecting":
        events.append(ConnectionEvent(status="CONNECTING"))
    elif connection == "close":
        error = (data.get("lastDisconnect") or {}).get("error") or {}
        code = ((error.get("output") or {}).get("statusCode")) if isinstance(error, dict) else None
        reason = "logged out" if code == LOGGED_OUT else (f"status {code}" if code else "")
        events.append(ConnectionEvent(status="DISCONNECTED", reason=reason))
    if not events:
        events.append(IgnoredEvent(event_type="connection.update", reason="no state change"))
    return events
