"""A customer's answer to buttons, a list or a numbered menu, read as a reply.

Every gateway's tap arrives as a ``MessageEvent`` with ``payload.reply =
{id, title}`` (its parser's job; ``quotedId`` names the tapped message when
the gateway says). A numbered menu sent as text (``messaging.outbound.rich``,
gateways without buttons) leaves its options remembered for the session;
"2", "dois" or an option's title then reads as that option.
``reply_apply`` is the one place both become a TEXT message whose text is
the option's title and whose ``payload.reply`` is ``{id, title,
toMessageId}``: ``messaging.inbound.store.build_message`` calls it for every
customer message, whichever ingest path stores it.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.cache import cache
from django.db import transaction

from messaging.models import Message, MessageKind

# As long as WhatsApp lets us answer freely; a later "2" is just a text.
OPTIONS_TTL_SECONDS = 24 * 3600
# Longer than any option title (24) with room for "opção " and punctuation.
_LONGEST_ANSWER = 40
NUMBER_WORDS = {
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "tres": 3,
    "quatro": 4,
    "cinco": 5,
    "seis": 6,
    "sete": 7,
    "oito": 8,
    "nove": 9,
    "dez": 10,
}
_ANSWER_PREFIX = re.compile(r"^(opcao|opc|op|numero|n)\s*[:.\-]?\s*")


def _options_key(session_id) -> str:
    return f"atende:offered-options:{session_id}"


def offered_options_forget(session_ids) -> None:
    """Drop the remembered menus of these sessions (their option titles are
    what was offered to the customer; an erasure takes them with the messages)."""
    keys = [_options_key(session_id) for session_id in session_ids]
    if keys:
        cache.delete_many(keys)


def offered_options_remember(message: Message) -> None:
    """After a numbered menu is stored, its options answer the session's next texts."""
    payload = message.payload or {}
    if message.kind != MessageKind.INTERACTIVE or not payload.get("fallback"):
        return
    value = {
        "messageId": str(message.pk),
        "options": [
            {"id": o["id"], "title": o["title"]} for o in payload["interactive"]["options"]
        ],
    }
    key = _options_key(message.session_id)
    transaction.on_commit(lambda: cache.set(key, value, OPTIONS_TTL_SECONDS))


def _normalized(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip(" .!)-")


def option_for_answer(text: str, options: list[dict]) -> dict | None:
    """The option "2", "dois", "opção 2" or its title names, if any."""
    answer = _normalized(text)
    if not answer:
        return None
    for option in options:
        if _normalized(option["title"]) == answer:
            return option
    answer = _ANSWER_PREFIX.sub("", answer)
    number = int(answer) if answer.isdigit() else NUMBER_WORDS.get(answer)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1]
    return None


def _message_id_for(instance_id, provider_message_id: str | None) -> str | None:
    if not provider_message_id:
        return None
    found = (
        Message.objects.filter(instance_id=instance_id, provider_message_id=provider_message_id)
        .values_list("pk", flat=True)
        .first()
    )
    return str(found) if found else None


def reply_apply(message: Message) -> None:
    """Turn a customer's tap or numbered answer into a reply (in place, before INSERT)."""
    payload = message.payload or {}
    reply = payload.get("reply")
    if isinstance(reply, dict):
        offered = None
        to_message = _message_id_for(message.instance_id, payload.get("quotedId"))
        if to_message is None or not reply.get("title"):
            offered = cache.get(_options_key(message.session_id)) if message.session_id else None
        if not reply.get("title") and offered:
            match = next((o for o in offered["options"] if o["id"] == reply.get("id")), None)
            reply["title"] = match["title"] if match else ""
        if to_message is None and offered:
            to_message = offered["messageId"]
        title = str(reply.get("title") or reply.get("id") or "")
        message.kind = MessageKind.TEXT
        message.text = title
        message.payload = {
            **payload,
            "reply": {"id": str(reply.get("id") or ""), "title": title, "toMessageId": to_message},
        }
        return
    if message.kind != MessageKind.TEXT or len(message.text) > _LONGEST_ANSWER:
        return
    if not message.session_id:
        return
    offered = cache.get(_options_key(message.session_id))
    if not offered:
        return
    option = option_for_answer(message.text, offered["options"])
    if option is None:
        return
    # What the customer typed stays readable next to the option it chose.
    message.payload = {
        **payload,
        "typedAnswer": message.text,
        "reply": {
            "id": option["id"],
            "title": option["title"],
            "toMessageId": offered["messageId"],
        },
    }
    message.text = option["title"]
