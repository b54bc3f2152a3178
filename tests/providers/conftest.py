import hashlib
import hmac
import json

import pytest
from django.test import Client

from providers.models import Provider
from providers.sandbox.adapter import sign
from providers.selectors import instance_webhook_cache_clear
from tests.support import factories

CLOUD_APP_SECRET = "meta-app-secret"


@pytest.fixture(autouse=True)
def _inbox_inline(request, monkeypatch):
    """Webhooks are ingested by a worker's drain; here it runs inside the request.

    The view stores the body (autocommit) before it wakes the drain, so the
    drain run inline sees the row, as a worker would. Only the inbox drain
    runs inline: the tasks the ingest queues (turns, transcription, sends)
    behave as before. Tests with a real worker (``worker`` mark) keep the
    broker.
    """
    from messaging.inbound.inbox import _redis, inbox_drain

    instance_webhook_cache_clear()
    # A drain an earlier test "lost" is not pending here.
    for key in _redis().scan_iter("atende:inbox:drain-pending:*"):
        _redis().delete(key)
    if request.node.get_closest_marker("worker"):
        return
    monkeypatch.setattr(
        inbox_drain, "apply_async", lambda args=(), **options: inbox_drain.apply(args)
    )


CLOUD_PHONE_NUMBER_ID = "106540352242922"
UAZAPI_TOKEN = "uaz-token-3f9a1c2b"


@pytest.fixture
def evolution_instance(organization):
    return factories.make_instance(
        organization,
        provider=Provider.EVOLUTION,
        name="Evolution",
        base_url="http://127.0.0.1:9",
        external_id="atende-main",
        credentials={"apiKey": "evo-instance-token"},
    )


@pytest.fixture
def uazapi_instance(organization):
    return factories.make_instance(
        organization,
        provider=Provider.UAZAPI,
        name="UAZapi",
        base_url="http://127.0.0.1:9",
        credentials={"token": UAZAPI_TOKEN},
    )


@pytest.fixture
def baileys_instance(organization):
    return factories.make_instance(
        organization,
        provider=Provider.BAILEYS,
        name="Baileys",
        base_url="http://127.0.0.1:9",
        external_id="atende-main",
        credentials={"apiKey": "bridge-key"},
    )


@pytest.fixture
def cloudapi_instance(organization):
    return factories.make_instance(
        organization,
        provider=Provider.CLOUDAPI,
        name="Cloud",
        base_url="http://127.0.0.1:9",
        external_id=CLOUD_PHONE_NUMBER_ID,
        credentials={"accessToken": "EAAG-token"},
        app_secret=CLOUD_APP_SECRET,
        verify_token="verify-me",
    )


@pytest.fixture
def sandbox_instance(organization):
    return factories.make_instance(organization, provider=Provider.SANDBOX, name="Sandbox")


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
