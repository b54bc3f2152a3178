"""Malformed bodies are 400 with nothing written; unknown events are 200; size limit 413."""

import pytest

from contacts.models import Contact
from messaging.models import Message, WebhookInbox
from sessions_app.models import ChatSession
from tests.providers.conftest import post_webhook
from tests.providers.replay import load_fixture

pytestmark = pytest.mark.django_db


def assert_nothing_stored():
    assert (
        WebhookInbox.objects.count(),
        Message.objects.count(),
        Contact.objects.count(),
        ChatSession.objects.count(),
    ) == (0, 0, 0, 0)


def test_it_rejects_malformed_json(evolution_instance):
    response = post_webhook(evolution_instance, None, raw=b'{"event": "messages.upsert", ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert_nothing_stored()


def test_it_rejects_a_payload_the_parser_does_not_recognize(evolution_instance):
    body = load_fixture("evolution", "text")
    del body["data"]["key"]["id"]
    response = post_webhook(evolution_instance, body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_payload",
        "message": "the message key has no 'id'",
        "details": {},
    }
    assert_nothing_stored()


def test_a_bad_event_in_a_batch_writes_nothing_of_the_batch(cloudapi_instance):
    body = load_fixture("cloudapi", "batch_message_and_status")
    body["entry"][0]["changes"][1]["value"]["statuses"][0].pop("id")
    response = post_webhook(cloudapi_instance, body)
    assert response.status_code == 400
    assert_nothing_stored()


def test_it_answers_200_to_an_unknown_event(evolution_instance):
    response = post_webhook(evolution_instance, load_fixture("evolution", "presence_update"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "ignored": 1}
    assert_nothing_stored()


def test_it_refuses_a_body_over_the_limit(settings, uazapi_instance):
    settings.WEBHOOK_MAX_BODY_BYTES = 1024
    body = load_fixture("uazapi", "text")
    body["message"]["text"] = "x" * 2000
    response = post_webhook(uazapi_instance, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert_nothing_stored()


def test_it_refuses_other_methods(client, evolution_instance):
    response = client.put(f"/api/v1/webhooks/evolution/{evolution_instance.webhook_secret}")
    assert response.status_code == 405


def test_an_unknown_provider_is_404(client):
    response = client.post("/api/v1/webhooks/whatsmeow/abc", data=b"{}", content_type="x/y")
    assert response.status_code == 404
