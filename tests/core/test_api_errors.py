"""The one error shape for every failure, and never a 500 for bad input."""

import pytest
from rest_framework.test import APIClient

from core.throttling import ApiKeyRateThrottle
from tests.support.api import assert_error


def test_no_key_is_401(db):
    assert_error(APIClient().get("/api/v1/sessions"), 401, "unauthenticated")


def test_an_unknown_path_is_404(api_client):
    assert_error(api_client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(api_client.get("/api/v1/sessions/not-a-uuid"), 404)


def test_a_wrong_method_is_405(api_client):
    assert_error(api_client.put("/api/v1/contacts", {}, format="json"), 405, "method_not_allowed")


def test_an_unsupported_content_type_is_415(api_client):
    response = api_client.post("/api/v1/contacts", data="phone=1", content_type="application/xml")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "raw",
    ['{"phone": ', "[1, 2]", '"text"', "null", "12", '{"phone": {"nested": true}}'],
)
def test_malformed_or_mistyped_json_is_400(api_client, raw):
    response = api_client.post("/api/v1/contacts", data=raw, content_type="application/json")
    assert_error(response, 400)


def test_a_body_over_the_limit_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post(
        "/api/v1/contacts", {"phone": "5511987654321", "name": "x" * 2000}, format="json"
    )
    assert_error(response, 413, "payload_too_large")


def test_a_multipart_body_over_the_limit_is_413(api_client, chat_session, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post(
        "/api/v1/messages",
        {"sessionId": str(chat_session.id), "content": "x" * 2000},
        format="multipart",
    )
    assert_error(response, 413, "payload_too_large")


def test_rate_limits_are_per_key_with_retry_after(api_client, other_api_client, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    for _ in range(3):
        assert api_client.get("/api/v1/organization").status_code == 200
    response = api_client.get("/api/v1/organization")
    error = assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert error["details"]["retryAfterSeconds"] == int(response["Retry-After"])
    # Another key is not affected by the first one's traffic.
    assert other_api_client.get("/api/v1/organization").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sessions?page=1&limit=100000",
        "/api/v1/messages?page=1000000",
        "/api/v1/contacts?search=%00",
        "/api/v1/contacts/by-phone/%00%00",
        "/api/v1/sessions?search=" + "9" * 5000,
    ],
)
def test_odd_queries_never_500(api_client, url):
    response = api_client.get(url)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error(response, response.status_code)
