"""The OpenAPI document, Swagger UI, and schemathesis against the running app.

schemathesis runs as an integrator runs it (docs/API.md, "Checking the
contract"): its command line, every check, the examples, coverage, fuzzing
and stateful phases, the repository's schemathesis.toml, against the real
application served over HTTP on 127.0.0.1 with a seeded organization.
Any finding fails the test with schemathesis's own report.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.models import Department
from canned.services import canned_create
from core.throttling import ApiKeyRateThrottle
from integrations.models import Delivery, Integration
from privacy.models import Export
from tests.support import factories

REPOSITORY = Path(__file__).resolve().parents[2]
# Fuzzed examples per operation: the coverage and stateful phases add their
# own. Enough to find a disagreement between schema and server, bounded so
# the run stays about a minute on a quiet machine.
MAX_EXAMPLES = 5


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
def seeded(transactional_db, monkeypatch):
    """One organization with a row of everything, so operations reach real
    rows rather than only 404s; throttling off (it would hide operations)."""
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "1000000/min"})
    organization = factories.make_organization("Contract")
    instance = factories.make_instance(organization, name="Sandbox")
    contact = factories.make_contact(organization, phone="5511987654321", name="Maria")
    chat_session = factories.make_session(contact=contact, instance=instance)
    message = factories.make_message(chat_session, text="oi")
    tabulation = factories.make_tabulation(organization, name="Lead")
    department = Department.objects.create(organization=organization, name="Vendas")
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
    agent = factories.make_agent(organization, username="ana", departments=["Suporte"])
    canned = canned_create(organization=organization, short_code="oi", content="Olá!")
    # Being built: its download answers the documented 409 export_not_ready.
    export = Export.objects.create(organization=organization, contact=contact, requested_by="x")
    return {
        "key": factories.make_api_key(organization, name="contract"),
        "path.agent_id": str(agent.id),
        "path.canned_id": str(canned.id),
        "path.export_id": str(export.id),
        "path.session_id": str(chat_session.id),
        "path.contact_id": str(contact.id),
        "path.message_id": str(message.id),
        "path.instance_id": str(instance.id),
        "path.tabulation_id": str(tabulation.id),
        "path.department_id": str(department.id),
        "path.integration_id": str(integration.id),
        "path.delivery_id": str(delivery.id),
        "path.phone": contact.phone,
    }


# Every check and four phases over every operation: minutes, not seconds, on
# two cores shared with the rest of the suite (docs/API.md, "Checking the
# contract"). The phases are independent runs, each over every operation,
# and the coverage phase, the longest, tests each operation on its own: three
# runs, which separate test processes take side by side instead of one
# after the other. (Four, the writes' coverage split in two, cost more than
# they saved: more schemathesis runs at once on two CPUs.)
RUNS = {
    "coverage-of-reads": ["--phases", "coverage", "--include-method", "GET"],
    "coverage-of-writes": ["--phases", "coverage", "--exclude-method", "GET"],
    "examples-fuzzing-stateful": ["--phases", "examples,fuzzing,stateful"],
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("run", list(RUNS))
def test_schemathesis_finds_nothing(live_server, seeded, tmp_path, run):
    config = tmp_path / "schemathesis.toml"
    parameters = "\n".join(
        f'"{name}" = "{value}"' for name, value in seeded.items() if name.startswith("path.")
    )
    config.write_text(
        (REPOSITORY / "schemathesis.toml").read_text() + f"\n[parameters]\n{parameters}\n"
    )
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/schema",
        "--url",
        live_server.url,
        "--header",
        f"Authorization: Bearer {seeded['key']}",
        "--checks",
        "all",
        *RUNS[run],
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "1",
        "--no-color",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
