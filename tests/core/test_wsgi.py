"""The web's WSGI application: webhooks through their short middleware
stack keep what an API request gets; every other path the full one."""

import io
import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections

from core.wsgi import split_application
from messaging.inbound import webhooks
from messaging.inbound.tasks import inbox_drain
from messaging.models import WebhookInbox
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, webhook_path


@pytest.fixture(scope="module")
def application():
    return split_application()


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(inbox_drain, "apply_async", lambda *args, **options: None)


def call(application, method: str, path: str, body: bytes = b"", headers=None) -> dict:
    """One request through the WSGI application, as gunicorn makes it."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        **{
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in (headers or {}).items()
        },
    }
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"] = int(status.split()[0])
        started["headers"] = {name.lower(): value for name, value in response_headers}

    # As Django's test client does: the test's transaction keeps its connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        started["body"] = b"".join(response)
        response.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return started


def _post(application, instance, body: dict, headers=None) -> dict:
    return call(application, "POST", webhook_path(instance), json.dumps(body).encode(), headers)


@pytest.mark.django_db
def test_a_webhook_is_stored_with_a_request_id_and_none_of_the_console_middleware(
    application, evolution_instance
):
    response = _post(
        application,
        evolution_instance,
        load_fixture("evolution", "text"),
        {"X-Request-ID": "edge-0001"},
    )

    assert (response["status"], json.loads(response["body"])) == (200, QUEUED)
    assert response["headers"]["x-request-id"] == "edge-0001"
    assert "x-frame-options" not in response["headers"]
    assert "cookie" not in response["headers"].get("vary", "").lower()
    assert WebhookInbox.objects.count() == 1


@pytest.mark.django_db
def test_other_paths_go_through_the_full_stack(application):
    response = call(application, "GET", "/admin/login/")
    assert response["status"] == 200
    assert response["headers"]["x-frame-options"] == "DENY"


@pytest.mark.django_db
def test_a_webhook_answers_503_while_the_database_is_away(
    application, evolution_instance, monkeypatch
):
    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(webhooks, "inbox_store", unreachable)
    response = _post(application, evolution_instance, load_fixture("evolution", "text"))

    assert response["status"] == 503
    assert response["headers"]["retry-after"]
    assert json.loads(response["body"])["error"]["code"] == "service_unavailable"


@pytest.mark.django_db
def test_webhook_refusals_are_the_apis_json_errors(application, evolution_instance):
    unknown = call(application, "POST", "/api/v1/webhooks/", b"{}")
    assert (unknown["status"], json.loads(unknown["body"])["error"]["code"]) == (404, "not_found")
    refused = call(application, "POST", webhook_path(evolution_instance) + "x", b"{}")
    assert (refused["status"], json.loads(refused["body"])["error"]["code"]) == (
        401,
        "unauthenticated",
    )
