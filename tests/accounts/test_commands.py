import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import Agent, ApiKey, Organization


def _json(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_create_organization_prints_a_working_key(db):
    result = _json("create_organization", "Padaria Pão Quente", "--json")
    organization = Organization.objects.get(pk=result["organizationId"])
    assert organization.name == "Padaria Pão Quente"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {result['apiKey']}")
    assert client.get("/api/v1/organization").json()["id"] == str(organization.id)


def test_create_api_key_adds_a_second_key(db):
    first = _json("create_organization", "Acme", "--json")
    second = _json("create_api_key", first["organizationId"], "--json")
    assert second["apiKey"] != first["apiKey"]
    assert ApiKey.objects.filter(organization_id=first["organizationId"]).count() == 2


def test_create_api_key_for_unknown_organization_fails_clearly(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_key", "not-a-uuid", "--json", stdout=StringIO())


def test_create_agent_makes_a_staff_member(db):
    org = _json("create_organization", "Acme", "--json")
    call_command(
        "create_agent",
        org["organizationId"],
        "ana",
        "--password",
        "s3cret-pass",
        "--department",
        "Vendas",
        stdout=StringIO(),
    )
    agent = Agent.objects.get(user__username="ana")
    assert agent.user.is_staff and not agent.user.is_superuser
    assert [d.name for d in agent.departments.all()] == ["Vendas"]
    assert agent.user.check_password("s3cret-pass")


def test_setup_demo_runs_twice_without_duplicating(db, settings, tmp_path, monkeypatch):
    from messaging.management.commands import setup_demo

    monkeypatch.setattr(setup_demo, "CREDENTIALS_FILE", tmp_path / "demo.json")
    call_command("setup_demo", stdout=StringIO())
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert Organization.objects.filter(name="Demo").count() == 1
    saved = json.loads((tmp_path / "demo.json").read_text())
    # What make run printed, kept: the sandbox's id with the key.
    [sandbox] = Organization.objects.get(name="Demo").instances.filter(name="Sandbox")
    assert saved["sandboxInstanceId"] == str(sandbox.id)
    assert saved["adminUrl"].endswith("/admin/")
    # A team to show: a department assigning automatically, two online
    # agents who log in with the printed password, three tags.
    organization = Organization.objects.get(name="Demo")
    department = organization.departments.get()
    assert department.auto_assign
    agents = {a.user.username: a for a in organization.agents.all()}
    assert set(agents) == {"ana", "bruno"}
    assert all(a.availability == "online" for a in agents.values())
    assert all(list(a.departments.all()) == [department] for a in agents.values())
    assert repr(saved["agentsPassword"]) in out.getvalue()
    assert agents["ana"].user.check_password(saved["agentsPassword"])
    assert organization.tabulations.count() == 3
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {saved['apiKey']}")
    assert client.get("/api/v1/organization").status_code == 200
