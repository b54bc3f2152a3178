"""Posting webhooks the way each gateway does, and what the view answers."""

import hashlib
import hmac
import json

from django.test import Client

from providers.models import Provider
from providers.sandbox.adapter import sign

CLOUD_APP_SECRET = "meta-app-secret"
CLOUD_PHONE_NUMBER_ID = "106540352242922"
UAZAPI_TOKEN = "uaz-token-3f9a1c2b"


def webhook_path(instance) -> str:
    return f"/api/v1/webhooks/{instance.provider}/{instance.webhook_secret}"


def post_webhook(instance, body, *, path=None, headers=None, raw: bytes | None = None):
    """POST a webhook the way the instance's gateway would (signed where it signs)."""
    data = raw if raw is not None else json.dumps(body).encode()
    extra = dict(headers or {})
    if instance.provider == Provider.CLOUDAPI and "X-Hub-Signature-256" not in extra:
        digest = hmac.new(instance.app_secret.encode(), data, hashlib.sha256).hexdigest()
        extra["X-Hub-Signature-256"] = f"sha256={digest}"
    if instance.provider == Provider.SANDBOX and "X-Sandbox-Signature" not in extra:
        extra["X-Sandbox-Signature"] = sign(instance.webhook_secret, data)
    return Client().post(
        path or webhook_path(instance), data=data, content_type="application/json", headers=extra
    )


def last_inbox_row():
    """The newest webhook inbox row (its ``result`` holds the ingest's counts)."""
    from messaging.models import WebhookInbox

    return WebhookInbox.objects.order_by("-id").first()


QUEUED = {"ok": True, "queued": True}
DUPLICATE = {"ok": True, "duplicate": True}
