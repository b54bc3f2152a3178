"""Honest answers while PostgreSQL or Redis is down, on servers really stopped."""

import json
import time
import uuid

import psycopg
import pytest
import requests

from messaging.models import WebhookInbox
from tests.support.replay import load_fixture

pytestmark = pytest.mark.worker  # slow: private servers and a gunicorn


def _webhook(stack, provider: str = "evolution", message_id: str = "") -> requests.Response:
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = message_id or uuid.uuid4().hex.upper()
    secret = stack.seed["instances"][provider]["secret"]
    return requests.post(
        f"{stack.web.url}/api/v1/webhooks/{provider}/{secret}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


def _sessions(stack) -> requests.Response:
    return requests.get(
        f"{stack.web.url}/api/v1/sessions",
        headers={"Authorization": f"Bearer {stack.seed['apiKey']}"},
        timeout=30,
    )


def _eventually(call, status: int, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    response = call()
    while response.status_code != status and time.monotonic() < deadline:
        time.sleep(0.5)
        response = call()
    return response


def _assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Retry-After"] == "30"
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["details"] == {"retryAfterSeconds": 30}


def test_while_postgresql_is_down_webhooks_and_the_api_answer_503_with_retry_after(stack):
    assert _webhook(stack).status_code == 200
    assert _sessions(stack).status_code == 200

    stack.postgres.stop()
    try:
        for _ in range(3):  # every web process, with and without a cached instance
            _assert_unavailable(_webhook(stack))
            _assert_unavailable(_sessions(stack))
        _assert_unavailable(
            requests.post(
                f"{stack.web.url}/api/v1/messages",
                json={"sessionId": str(uuid.uuid4()), "type": "TEXT", "content": {"text": "x"}},
                headers={"Authorization": f"Bearer {stack.seed['apiKey']}"},
                timeout=30,
            )
        )
    finally:
        stack.postgres.start()

    assert _eventually(lambda: _webhook(stack), 200).status_code == 200
    assert _eventually(lambda: _sessions(stack), 200).status_code == 200


def test_while_redis_is_down_a_webhook_is_stored_and_answered_200(stack):
    message_id = uuid.uuid4().hex.upper()
    stack.redis.stop()
    try:
        started = time.monotonic()
        response = _webhook(stack, message_id=message_id)
        took = time.monotonic() - started
    finally:
        stack.redis.start()

    assert response.status_code == 200, response.text[:500]
    assert response.json() == {"ok": True, "queued": True}
    assert took < 5
    # The row is there for the sweeper to queue once Redis is back.
    with psycopg.connect(stack.postgres.url) as db:
        stored = db.execute(
            f"SELECT count(*) FROM {WebhookInbox._meta.db_table} "  # noqa: S608
            "WHERE body->'data'->'key'->>'id' = %s",
            [message_id],
        ).fetchone()[0]
    assert stored == 1
