"""Webhook credentials: a wrong or missing secret is a 401 with nothing stored."""

import time

import jwt
import pytest

from contacts.models import Contact
from messaging.models import Message, WebhookInbox
from providers.selectors import instance_webhook_cache_clear
from tests.support.replay import fixture_bytes, load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


def assert_nothing_stored():
    assert WebhookInbox.objects.count() == 0
    assert Message.objects.count() == 0
    assert Contact.objects.count() == 0


def test_it_rejects_an_unknown_secret(evolution_instance):
    response = post_webhook(
        evolution_instance,
        load_fixture("evolution", "text"),
        path="/api/v1/webhooks/evolution/not-the-secret",
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert_nothing_stored()


def test_it_rejects_a_secret_of_another_provider(evolution_instance):
    path = f"/api/v1/webhooks/uazapi/{evolution_instance.webhook_secret}"
    response = post_webhook(evolution_instance, load_fixture("evolution", "text"), path=path)
    assert response.status_code == 401
    assert_nothing_stored()


def test_it_rejects_an_inactive_instance(evolution_instance):
    evolution_instance.is_active = False
    evolution_instance.save()
    response = post_webhook(evolution_instance, load_fixture("evolution", "text"))
    assert response.status_code == 401
    assert_nothing_stored()


def test_it_accepts_the_secret_with_an_events_suffix(evolution_instance):
    path = f"/api/v1/webhooks/evolution/{evolution_instance.webhook_secret}/messages-upsert"
    response = post_webhook(evolution_instance, load_fixture("evolution", "text"), path=path)
    assert response.status_code == 200
    assert Message.objects.count() == 1


def _by_id(instance):
    return f"/api/v1/webhooks/{instance.provider}/i/{instance.id}"


def test_evolution_authenticates_with_a_secret_header(evolution_instance):
    response = post_webhook(
        evolution_instance,
        load_fixture("evolution", "text"),
        path=_by_id(evolution_instance),
        headers={"X-Webhook-Secret": evolution_instance.webhook_secret},
    )
    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_evolution_rejects_a_wrong_secret_header(evolution_instance):
    response = post_webhook(
        evolution_instance,
        load_fixture("evolution", "text"),
        path=_by_id(evolution_instance),
        headers={"X-Webhook-Secret": "guess"},
    )
    assert response.status_code == 401
    assert_nothing_stored()


def test_evolution_authenticates_with_its_hs256_jwt(evolution_instance):
    now = int(time.time())
    token = jwt.encode(
        {"iat": now, "exp": now + 600, "app": "evolution", "action": "webhook"},
        evolution_instance.webhook_secret,
        algorithm="HS256",
    )
    response = post_webhook(
        evolution_instance,
        load_fixture("evolution", "text"),
        path=_by_id(evolution_instance),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "key, offset", [("a-wrong-key-that-is-long-enough-for-hs256", 600), (None, -10)]
)
def test_evolution_rejects_a_bad_or_expired_jwt(evolution_instance, key, offset):
    now = int(time.time())
    token = jwt.encode(
        {"iat": now - 700, "exp": now + offset},
        key or evolution_instance.webhook_secret,
        algorithm="HS256",
    )
    response = post_webhook(
        evolution_instance,
        load_fixture("evolution", "text"),
        path=_by_id(evolution_instance),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    assert_nothing_stored()


def test_evolution_rejects_the_instance_path_without_credentials(evolution_instance):
    response = post_webhook(
        evolution_instance, load_fixture("evolution", "text"), path=_by_id(evolution_instance)
    )
    assert response.status_code == 401
    assert_nothing_stored()


def test_uazapi_authenticates_by_the_payload_token(uazapi_instance):
    response = post_webhook(
        uazapi_instance, load_fixture("uazapi", "text"), path=_by_id(uazapi_instance)
    )
    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_uazapi_rejects_a_wrong_payload_token(uazapi_instance):
    body = load_fixture("uazapi", "text")
    body["token"] = "another-instance-token"
    for path in (_by_id(uazapi_instance), None):
        response = post_webhook(uazapi_instance, body, path=path)
        assert response.status_code == 401
    assert_nothing_stored()


def test_cloudapi_rejects_a_bad_signature(cloudapi_instance):
    response = post_webhook(
        cloudapi_instance,
        None,
        raw=fixture_bytes("cloudapi", "text"),
        headers={"X-Hub-Signature-256": "sha256=" + "0" * 64},
    )
    assert response.status_code == 401
    assert_nothing_stored()


def test_cloudapi_rejects_a_missing_signature(cloudapi_instance):
    response = post_webhook(
        cloudapi_instance,
        None,
        raw=fixture_bytes("cloudapi", "text"),
        headers={"X-Hub-Signature-256": ""},
    )
    assert response.status_code == 401
    assert_nothing_stored()


def test_cloudapi_accepts_a_signature_on_the_raw_body(cloudapi_instance):
    response = post_webhook(cloudapi_instance, None, raw=fixture_bytes("cloudapi", "text"))
    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_cloudapi_answers_the_verify_handshake(client, cloudapi_instance):
    path = f"/api/v1/webhooks/cloudapi/{cloudapi_instance.webhook_secret}"
    response = client.get(
        path,
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"


def test_cloudapi_refuses_the_handshake_with_a_wrong_token(client, cloudapi_instance):
    path = f"/api/v1/webhooks/cloudapi/{cloudapi_instance.webhook_secret}"
    response = client.get(
        path, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1158201444"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_sandbox_rejects_an_unsigned_webhook(sandbox_instance):
    response = post_webhook(
        sandbox_instance,
        load_fixture("sandbox", "text"),
        headers={"X-Sandbox-Signature": "sha256=bad"},
    )
    assert response.status_code == 401
    assert_nothing_stored()


def test_a_deactivated_instance_is_refused_once_its_cached_lookup_expires(
    evolution_instance, settings
):
    # The documented trade-off of WEBHOOK_INSTANCE_CACHE_SECONDS.
    settings.WEBHOOK_INSTANCE_CACHE_SECONDS = 60
    body = load_fixture("evolution", "text")
    assert post_webhook(evolution_instance, body).status_code == 200
    evolution_instance.is_active = False
    evolution_instance.save()
    body["data"]["key"]["id"] = "AFTER-DEACTIVATION"

    assert post_webhook(evolution_instance, body).status_code == 200  # still cached
    instance_webhook_cache_clear()  # what the expiry does
    assert post_webhook(evolution_instance, body).status_code == 401


def test_without_the_cache_a_deactivated_instance_is_refused_at_once(evolution_instance, settings):
    settings.WEBHOOK_INSTANCE_CACHE_SECONDS = 0
    body = load_fixture("evolution", "text")
    assert post_webhook(evolution_instance, body).status_code == 200
    evolution_instance.is_active = False
    evolution_instance.save()
    body["data"]["key"]["id"] = "AFTER-DEACTIVATION"
    assert post_webhook(evolution_instance, body).status_code == 401


def test_uazapi_rejects_a_payload_token_that_is_not_a_string(uazapi_instance):
    body = load_fixture("uazapi", "text")
    for token in (12345, ["x"], {"a": 1}):
        body["token"] = token
        for path in (_by_id(uazapi_instance), None):
            assert post_webhook(uazapi_instance, body, path=path).status_code == 401
    assert_nothing_stored()


@pytest.mark.parametrize("instance_name", ["cloudapi_instance", "sandbox_instance"])
def test_a_non_ascii_signature_is_refused_not_a_crash(request, instance_name):
    instance = request.getfixturevalue(instance_name)
    header = (
        "X-Hub-Signature-256" if instance_name == "cloudapi_instance" else "X-Sandbox-Signature"
    )
    response = post_webhook(instance, {"object": "x"}, headers={header: "sha256=" + "é" * 64})
    assert response.status_code == 401
    assert_nothing_stored()


def test_absurdly_nested_json_is_a_400(evolution_instance):
    response = post_webhook(
        evolution_instance, None, raw=b"[" * 100_000, headers={"X-Webhook-Secret": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert_nothing_stored()
