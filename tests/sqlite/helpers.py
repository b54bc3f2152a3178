"""Webhooks as the Evolution gateway posts them, for the SQLite tests."""

import json

from messaging.inbound.inbox import inbox_store
from messaging.models import WebhookInbox
from tests.support.replay import load_fixture


def text_body(
    provider_id: str, text: str = "oi", phone: str = "5511987654321", name: str = "Maria Souza"
) -> dict:
    """A customer's text (``messages.upsert``) from ``phone``."""
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = provider_id
    body["data"]["key"]["remoteJid"] = f"{phone}@s.whatsapp.net"
    body["data"]["key"]["remoteJidAlt"] = f"9{phone}@lid"
    body["data"]["message"]["conversation"] = text
    body["data"]["pushName"] = name
    return body


def store(instance, body: dict, **fields) -> WebhookInbox:
    """Store a body in the inbox as the webhook view does; ``fields``: then set these."""
    text = json.dumps(body)
    inbox_id = inbox_store(instance_id=instance.pk, raw_body=text.encode(), body_text=text)
    if fields:
        WebhookInbox.objects.filter(pk=inbox_id).update(**fields)
    return WebhookInbox.objects.get(pk=inbox_id)
