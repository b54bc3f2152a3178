"""The OpenAPI document, Swagger UI, and a bounded schemathesis run against the app.

schemathesis generates requests from /api/schema and calls the WSGI app in
process; any 5xx, or a response that breaks its own documented schema, fails.
"""

import time
import warnings

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from core.throttling import ApiKeyRateThrottle
from integrations.models import Delivery, Integration
from tests.support import factories

EXAMPLES_PER_OPERATION = 5
NEGATIVE_EXAMPLES_PER_OPERATION = 3
TIME_BUDGET_SECONDS = 75


def test_the_schema_documents_every_endpoint_with_examples(db):
    response = APIClient().get("/api/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/sessions/by-contact/{contact_id}",
        "/api/v1/sessions/{session_id}/block-ai",
        "/api/v1/sessions/{session_id}/unblock-ai",
        "/api/v1/sessions/{session_id}/ai-status",
        "/api/v1/sessions/{session_id}/close",
        "/api/v1/sessions/{session_id}/reopen",
        "/api/v1/sessions/{session_id}/status",
        "/api/v1/sessions/{session_id}/assign",
        "/api/v1/sessions/{session_id}/tags",
        "/api/v1/sessions/{session_id}/messages",
        "/api/v1/messages",
        "/api/v1/messages/{message_id}",
        "/api/v1/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/contacts/by-phone/{phone}",
        "/api/v1/contacts/{contact_id}/tabulations",
        "/api/v1/tabulations",
        "/api/v1/tabulations/{tabulation_id}",
        "/api/v1/departments",
        "/api/v1/departments/{department_id}",
        "/api/v1/integrations",
        "/api/v1/integrations/{integration_id}",
        "/api/v1/integrations/{integration_id}/deliveries",
        "/api/v1/deliveries/{delivery_id}/redeliver",
    ]:
        assert path in paths, path
    for path, operations in paths.items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/webhooks/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "404" in responses and "429" in responses, (method, path)
            success = [code for code in responses if code.startswith("2")]
            assert success, (method, path)
            # JSON answers show an example; a file download (binary) has none to show.
            documented = [
                responses[c]
                for c in success
                if c != "204" and "application/json" in responses[c].get("content", {})
            ]
            has_example = any(
                "examples" in r.get("content", {}).get("application/json", {}) for r in documented
            )
            assert has_example or not documented, (method, path)
    message = schema["components"]["schemas"]["Message"]
    assert {"content", "type", "kind", "direction", "transcriptionStatus"} <= set(
        message["properties"]
    )


def test_swagger_ui_is_served(db):
    response = APIClient().get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.fixture
def wsgi_app():
    """The real WSGI app, in process, inside the test's transaction.

    Like Django's test client, keep the end of a request from closing the
    connection that holds the test transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(organization, instance, contact, chat_session, tabulation, department):
    factories.make_message(chat_session, text="oi")
    integration = Integration.objects.create(
        organization=organization, name="Hook", url="http://127.0.0.1:9/", events=["turn.ready"]
    )
    delivery = Delivery.objects.create(
        organization=organization,
        integration=integration,
        event="turn.ready",
        dedupe_key="x",
        payload={},
    )
    return {
        "session_id": str(chat_session.id),
        "contact_id": str(contact.id),
        "tabulation_id": str(tabulation.id),
        "department_id": str(department.id),
        "message_id": str(chat_session.messages.first().id),
        "integration_id": str(integration.id),
        "delivery_id": str(delivery.id),
        "instance_id": str(instance.id),
        "phone": contact.phone,
    }


def test_schemathesis_finds_no_5xx_and_no_schema_violation(
    organization, seeded, wsgi_app, monkeypatch
):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    key = factories.make_api_key(organization, name="fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/schema", wsgi_app)
    headers = {"Authorization": f"Bearer {key}"}
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    failures, operations, calls = [], 0, {}

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/webhooks/"):
            continue
        if time.monotonic() > deadline:
            # A bound, not a speed test: a slow machine fuzzes fewer operations.
            warnings.warn(f"schemathesis time budget spent after {operations} operations")
            break
        operations += 1
        names = {p.name for p in operation.path_parameters}
        known = {name: seeded[name] for name in names if name in seeded}

        operation_checks = checks

        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES_PER_OPERATION),
        ):

            @seed(1234)
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known or None))
            def run(case):
                calls[mode.value] = calls.get(mode.value, 0) + 1
                case.call_and_validate(headers=headers, checks=operation_checks)

            try:
                run()
            except Exception as exc:  # collect every operation's failure, then report
                failures.append(
                    f"{mode.value} {operation.method.upper()} {operation.path}: {exc}"[:2000]
                )

    assert operations >= 1
    assert calls["positive"] and calls["negative"]
    assert not failures, "\n\n".join(failures)
