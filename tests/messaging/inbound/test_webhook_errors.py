"""Malformed bodies are 400 with nothing written; unknown events are 200; size limit 413."""

import pytest

from contacts.models import Contact
from messaging.models import Message, WebhookInbox
from sessions_app.models import ChatSession
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


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


def test_it_answers_200_to_an_unknown_event_and_keeps_it_as_ignored(evolution_instance):
    response = post_webhook(evolution_instance, load_fixture("evolution", "presence_update"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "ignored": 1}
    row = WebhookInbox.objects.get()
    assert row.processed_at is not None
    assert (row.attempts, row.result["ignored"], row.result["ignoredReasons"]) == (
        0,
        1,
        ["presence.update: event not used"],
    )
    assert (Message.objects.count(), Contact.objects.count(), ChatSession.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_retried_ignored_event_is_kept_once(evolution_instance):
    body = load_fixture("evolution", "presence_update")
    assert post_webhook(evolution_instance, body).json() == {"ok": True, "ignored": 1}
    assert post_webhook(evolution_instance, body).json() == {"ok": True, "ignored": 1}
    assert WebhookInbox.objects.count() == 1


def test_a_content_less_baileys_message_is_200_and_stores_no_message(baileys_instance):
    response = post_webhook(baileys_instance, load_fixture("baileys", "no_content_view_once"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "ignored": 1}
    assert WebhookInbox.objects.get().result["ignoredReasons"] == [
        "messages.upsert: no content (placeholder or view-once)"
    ]
    assert (Message.objects.count(), Contact.objects.count(), ChatSession.objects.count()) == (
        0,
        0,
        0,
    )


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


def _baileys_message_not_an_object(body):
    body["data"]["messages"][0]["message"] = "oi"


def _cloudapi_wa_id_a_list(body):
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = ["5511987654321"]


def _cloudapi_profile_a_string(body):
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"] = "Maria"


def _sandbox_base64_a_number(body):
    body["message"]["media"]["base64"] = 12345


@pytest.mark.parametrize(
    ("provider", "fixture", "break_it"),
    [
        ("baileys", "text", _baileys_message_not_an_object),
        ("cloudapi", "text", _cloudapi_wa_id_a_list),
        ("cloudapi", "text", _cloudapi_profile_a_string),
        ("sandbox", "image", _sandbox_base64_a_number),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_field_of_the_wrong_type_deep_in_the_body_is_400_not_500(
    request, provider, fixture, break_it
):
    instance = request.getfixturevalue(f"{provider}_instance")
    body = load_fixture(provider, fixture)
    break_it(body)
    response = post_webhook(instance, body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_payload"
    assert_nothing_stored()


@pytest.mark.parametrize("timestamp", [10**17, "²", {"low": "x", "high": None}])
def test_an_impossible_timestamp_is_dropped_not_a_500(evolution_instance, timestamp):
    body = load_fixture("evolution", "text")
    body["data"]["messageTimestamp"] = timestamp
    assert post_webhook(evolution_instance, body).status_code == 200
    message = Message.objects.get()
    assert (message.text, message.provider_timestamp) == (
        "Olá, quero saber o preço do plano",
        None,
    )


def test_sandbox_media_with_bad_base64_is_accepted_and_its_size_estimated(sandbox_instance):
    body = load_fixture("sandbox", "image")
    body["message"]["media"]["base64"] = "abc"  # bad padding: the download will say so
    assert post_webhook(sandbox_instance, body).status_code == 200
    assert Message.objects.get().media_size == 2
