"""Log lines in production: JSON, with the ids, and never a secret, a phone or a text."""

import json
import time
import uuid

import pytest
import requests

from tests.support.replay import load_fixture
from tests.support.servers import wait_for_port

pytestmark = pytest.mark.worker  # slow: private servers, a gunicorn and a worker

PHONE = "5511987654321"
TEXT = "quero saber o preço"


def _post(stack, path: str, body: dict, **headers) -> requests.Response:
    return requests.post(
        f"{stack.web.url}{path}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def _records(lines: list[str]) -> list[dict]:
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON log line: {line[:300]}")
    return records


def test_after_webhooks_to_every_provider_no_log_line_holds_a_secret_a_phone_or_a_text(stack):
    wait_for_port(stack.web.port)
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = uuid.uuid4().hex.upper()
    body["data"]["message"] = {"conversation": TEXT}
    secrets = []
    for provider, instance in stack.seed["instances"].items():
        secrets += [instance["secret"], instance["verifyToken"]]
        _post(stack, f"/api/v1/webhooks/{provider}/{instance['secret']}", body)
        _post(stack, f"/api/v1/webhooks/{provider}/{instance['secret']}/messages-upsert", body)
        _post(
            stack,
            f"/api/v1/webhooks/{provider}/{instance['secret']}?token=qt-{provider}&apikey=ak-x9",
            {"junk": True},
        )
    cloud = stack.seed["instances"]["cloudapi"]
    verified = requests.get(
        f"{stack.web.url}/api/v1/webhooks/cloudapi/{cloud['secret']}",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": cloud["verifyToken"],
            "hub.challenge": "4242",
        },
        timeout=30,
    )
    assert verified.text == "4242"
    # The worker ingests the evolution message (its task lines are checked too).
    time.sleep(3)

    lines = stack.log_lines() + stack.worker_log_lines()
    records = _records(stack.log_lines()) + _records(_worker_records(stack))

    forbidden = [*secrets, "qt-evolution", "ak-x9", PHONE, TEXT, "quero saber o pre"]
    for line in lines:
        for value in forbidden:
            assert value not in line, f"{value!r} in {line[:300]}"
    access = [r for r in records if r.get("logger") == "gunicorn.access"]
    masked = [r["http_path"] for r in access if "/webhooks/evolution/" in r["http_path"]]
    assert "/api/v1/webhooks/evolution/***" in masked
    assert "/api/v1/webhooks/evolution/***?token=***&apikey=***" in masked
    assert any("hub.verify_token=***" in r["http_path"] for r in access)


def test_request_lines_carry_the_request_and_organization_ids(stack):
    body = load_fixture("evolution", "presence_update")  # ignored: logged at INFO
    secret = stack.seed["instances"]["evolution"]["secret"]

    response = _post(stack, f"/api/v1/webhooks/evolution/{secret}", body)
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    time.sleep(0.5)

    records = [r for r in _records(stack.log_lines()) if r.get("request_id") == request_id]
    [ignored] = [r for r in records if r["logger"] == "messaging.inbound.webhooks"]
    assert ignored["level"] == "INFO"
    assert ignored["organization_id"] == stack.seed["organizationId"]
    assert "webhook event ignored" in ignored["message"]
    [access] = [r for r in records if r["logger"] == "gunicorn.access"]
    assert access["http_status"] == 200
    assert access["duration_ms"] >= 0
    assert {"time", "level", "message"} <= set(access)


def test_a_proxy_request_id_is_kept(stack):
    response = requests.get(
        f"{stack.web.url}/api/health", headers={"X-Request-ID": "edge-req-0001"}, timeout=30
    )
    assert response.headers["X-Request-ID"] == "edge-req-0001"


def _worker_records(stack) -> list[str]:
    """The worker's log lines: its start-up banner is printed, not logged."""
    return [line for line in stack.worker_log_lines() if line.startswith("{")]


def test_task_lines_carry_the_task_id(stack):
    records = _records(_worker_records(stack))

    task_lines = [r for r in records if r.get("task_id")]
    assert task_lines, [r.get("message") for r in records][-20:]
