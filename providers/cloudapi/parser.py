"""Meta WhatsApp Cloud API webhooks → normalized events.

``{object: "whatsapp_business_account", entry: [{id, changes: [{field:
"messages", value: {metadata, contacts, messages | statuses}}]}]}``; one
POST may batch many. Contacts are keyed on ``wa_id`` (for Brazil it can
differ from the number we sent to). Statuses can skip ``delivered`` and
arrive out of order.
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
"""

from __future__ import annotations

from typing import Any

from providers.base import (
    IgnoredEvent,
    InboundMedia,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    StatusEvent,
    TemplateStatusEvent,
    WebhookEvent,
    WebhookPayloadError,
)
from providers.wa import phone_from_jid, timestamp_from_seconds

_MEDIA = {"image", "audio", "video", "document", "sticker"}
STATUS_MAP = {
    "sent": "SENT",
    "delivered": "DELIVERED",
    "read": "READ",
    "played": "READ",
    "failed": "FAILED",
}


def parse(body: Any, *, phone_number_id: str) -> list[WebhookEvent]:
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        raise WebhookPayloadError("the body has no 'entry' list")
    if body.get("object") != "whatsapp_business_account":
        return [IgnoredEvent(event_type=str(body.get("object")), reason="not a WhatsApp object")]
    events: list[WebhookEvent] = []
    for entry in body["entry"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("changes"), list):
            raise WebhookPayloadError("an entry has no 'changes' list")
        for change in entry["changes"]:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                raise WebhookPayloadError("a change has no 'value'")
            if change.get("field") == "message_template_status_update":
                events.append(parse_template_status(change["value"]))
                continue
            if change.get("field") != "messages":
                events.append(IgnoredEvent(event_type=str(change.get("field")), reason="field"))
                continue
            events.extend(_parse_value(change["value"], phone_number_id=phone_number_id))
    return events


def _parse_value(value: dict, *, phone_number_id: str) -> list[WebhookEvent]:
    metadata = value.get("metadata") or {}
    target = str(metadata.get("phone_number_id") or "")
    if phone_number_id and target and target != phone_number_id:
        # One Meta app posts every number's traffic to the same URL.
        return [IgnoredEvent(event_type="messages", reason=f"for phone number id {target}")]
    names = {
        c.get("wa_id"): (c.get("profile") or {}).get("name") or ""
        for c in value.get("contacts") or []
        if isinstance(c, dict)
    }
    events: list[WebhookEvent] = []
    for message in value.get("messages") or []:
        events.append(parse_message(message, names))
    for status in value.get("statuses") or []:
        events.append(parse_status(status))
    if not events:
        events.append(IgnoredEvent(event_type="messages", reason="no messages or statuses"))
    return events


def parse_message(message: Any, names: dict) -> WebhookEvent:
    if not isinstance(message, dict):
        raise WebhookPayloadError("a message is not an object")
    message_id, sender, kind = message.get("id"), message.get("from"), message.get("type")
    if not all(isinstance(v, str) and v for v in (message_id, sender, kind)):
        raise WebhookPayloadError("a message lacks id, from or type")
    if kind == "system":
        return IgnoredEvent(event_type="messages", reason="system message")
    if kind in ("edit", "revoke"):
        return parse_revision(message)
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    payload: dict = {}
    context = message.get("context") or {}
    if context.get("id"):
        payload["quotedId"] = context["id"]
    if context.get("forwarded") or context.get("frequently_forwarded"):
        payload["forwarded"] = True
    if isinstance(message.get("referral"), dict):
        payload["referral"] = message["referral"]
    text, media = "", None
    if kind == "text":
        text = str(body.get("body") or "")
    elif kind in _MEDIA:
        if not body.get("id"):
            raise WebhookPayloadError(f"{kind} has no media id")
        text = str(body.get("caption") or "")
        media = InboundMedia(
            mimetype=str(body.get("mime_type") or ""),
            filename=str(body.get("filename") or ""),
            ref={"mediaId": body["id"], "mimetype": str(body.get("mime_type") or "")},
        )
        if kind == "audio" and body.get("voice"):
            kind = "voice"
    elif kind == "location":
        payload.update(
            latitude=body.get("latitude"),
            longitude=body.get("longitude"),
            name=body.get("name") or "",
            address=body.get("address") or "",
        )
        text = " — ".join(p for p in (payload["name"], payload["address"]) if p)
    elif kind == "contacts":
        kind = "contact"
        cards = [c for c in message.get("contacts") or [] if isinstance(c, dict)]
        payload["contacts"] = [
            {
                "name": (c.get("name") or {}).get("formatted_name") or "",
                "phones": [p.get("wa_id") or p.get("phone") for p in c.get("phones") or []],
            }
            for c in cards
        ]
        payload["name"] = payload["contacts"][0]["name"] if payload["contacts"] else ""
        text = ", ".join(c["name"] for c in payload["contacts"] if c["name"])
    elif kind == "reaction":
        payload.update(emoji=body.get("emoji") or "", targetId=body.get("message_id") or "")
        text = payload["emoji"]
    elif kind in ("interactive", "button"):
        # A tap: reply buttons or a list (``interactive.button_reply`` /
        # ``list_reply``), or a template's quick reply (``button {payload,
        # text}``). A text whose words are the option's title, with the option
        # (messaging.inbound.replies); ``context.id`` names the tapped message.
        if kind == "interactive":
            reply = body.get(body.get("type") or "") or {}
            reply_id, title = reply.get("id"), reply.get("title")
        else:
            reply_id, title = body.get("payload"), body.get("text")
        kind, text = "text", str(title or "")
        payload["reply"] = {"id": str(reply_id or text), "title": text}
    else:
        payload["type"] = kind
        kind = "unsupported"
    return MessageEvent(
        provider_message_id=message_id,
        from_me=False,
        chat_id=sender,
        phone=phone_from_jid(f"{sender}@s.whatsapp.net"),
        # Meta's wa_id is the party's WhatsApp id, as Baileys' JID names it
        # (for older Brazilian mobiles, without the ninth digit): remembered
        # with the contact, a returning customer is known in one look-up.
        wa_ids=(f"{sender}@s.whatsapp.net",),
        kind=kind,
        text=text,
        push_name=names.get(sender, ""),
        media=media,
        payload=payload,
        timestamp=timestamp_from_seconds(message.get("timestamp")),
        raw=message,
    )


def parse_revision(message: dict) -> WebhookEvent:
    """An edit or a revoke of an earlier message (numbers on the WhatsApp
    Business app, "coexistence"): ``edit: {original_message_id, message:
    {type, text|image|video|document...}}``, ``revoke: {original_message_id}``.
    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/edit
    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/revoke
    """
    kind = message["type"]
    body = message.get(kind)
    if not isinstance(body, dict):
        raise WebhookPayloadError(f"{kind} is not an object")
    target = body.get("original_message_id")
    if not isinstance(target, str) or not target:
        raise WebhookPayloadError(f"{kind} has no original_message_id")
    timestamp = timestamp_from_seconds(message.get("timestamp"))
    # The chat is the customer's, named by ``from`` (a wa_id) as on a message.
    chat_id = message["from"]
    phone = phone_from_jid(f"{chat_id}@s.whatsapp.net")
    if kind == "revoke":
        return MessageDeleteEvent(
            provider_message_id=target,
            timestamp=timestamp,
            chat_id=chat_id,
            phone=phone,
            raw=message,
        )
    new = body.get("message") if isinstance(body.get("message"), dict) else {}
    new_type = new.get("type")
    content = new.get(new_type) if isinstance(new.get(new_type), dict) else {}
    text = content.get("body") if new_type == "text" else content.get("caption")
    return MessageEditEvent(
        provider_message_id=target,
        text=str(text or ""),
        timestamp=timestamp,
        chat_id=chat_id,
        phone=phone,
        raw=message,
    )


def parse_status(status: Any) -> WebhookEvent:
    if not isinstance(status, dict) or not isinstance(status.get("id"), str):
        raise WebhookPayloadError("a status has no id")
    mapped = STATUS_MAP.get(str(status.get("status")))
    if mapped is None:
        return IgnoredEvent(event_type="statuses", reason=f"status {status.get('status')}")
    error = code = title = ""
    if mapped == "FAILED":
        errors = [e for e in status.get("errors") or [] if isinstance(e, dict)]
        if errors:
            code = str(errors[0].get("code") or "")
            title = str(errors[0].get("title") or errors[0].get("message") or "")
        error = (
            "; ".join(
                f"{e.get('code')} {e.get('title') or ''}: "
                f"{(e.get('error_data') or {}).get('details') or e.get('message') or ''}".strip()
                for e in errors
            )
            or "failed"
        )
    return StatusEvent(
        provider_message_id=status["id"],
        status=mapped,
        error=error,
        timestamp=timestamp_from_seconds(status.get("timestamp")),
        error_code=code,
        error_title=title,
    )


def parse_template_status(value: dict) -> WebhookEvent:
    """``{event: APPROVED|REJECTED|PAUSED|DISABLED..., message_template_id,
    message_template_name, message_template_language, reason}``.
    https://developers.facebook.com/docs/whatsapp/business-management-api/webhooks/components
    """
    name = value.get("message_template_name")
    language = value.get("message_template_language")
    event = value.get("event")
    if not all(isinstance(v, str) and v for v in (name, language, event)):
        raise WebhookPayloadError("a template status update lacks name, language or event")
    reason = value.get("reason")
    return TemplateStatusEvent(
        template_id=str(value.get("message_template_id") or ""),
        name=name,
        language=language,
        status=event.upper(),
        reason="" if reason in (None, "NONE") else str(reason),
    )
