"""/api/v1/agents: the organization's agents, their availability, capacity and load."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.agents import agents_idle_offline
from accounts.models import Agent, Department
from tests.support import factories
from tests.support.api import assert_error


@pytest.fixture
def vendas(organization):
    return Department.objects.create(organization=organization, name="Vendas")


@pytest.fixture
def ana(organization, vendas):
    agent = factories.make_agent(organization, username="ana")
    agent.display_name = "Ana Souza"
    agent.save()
    agent.departments.add(vendas)
    return agent


def test_list_and_get_show_load_and_availability(api_client, ana, vendas, instance):
    contact = factories.make_contact(ana.organization)
    factories.make_session(contact=contact, instance=instance, assigned_agent=ana)
    closed = factories.make_contact(ana.organization)
    factories.make_session(contact=closed, instance=instance, assigned_agent=ana, status="CLOSED")
    expected = {
        "id": str(ana.pk),
        "name": "Ana Souza",
        "username": "ana",
        "departmentIds": [str(vendas.pk)],
        "availability": "offline",
        "maxConcurrentSessions": None,
        "openSessions": 1,
        "active": True,
    }
    assert api_client.get("/api/v1/agents").json()["data"] == [expected]
    assert api_client.get(f"/api/v1/agents/{ana.pk}").json() == expected


def test_patch_changes_what_it_is_given(api_client, ana, organization):
    suporte = Department.objects.create(organization=organization, name="Suporte")
    url = f"/api/v1/agents/{ana.pk}"
    response = api_client.patch(
        url,
        {"availability": "online", "maxConcurrentSessions": 3, "departmentIds": [str(suporte.pk)]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["availability"], body["maxConcurrentSessions"]) == ("online", 3)
    assert body["departmentIds"] == [str(suporte.pk)]
    assert body["name"] == "Ana Souza"
    body = api_client.patch(url, {"maxConcurrentSessions": None}, format="json").json()
    assert (body["maxConcurrentSessions"], body["availability"]) == (None, "online")
    body = api_client.patch(url, {"name": "Ana S.", "active": False}, format="json").json()
    assert (body["name"], body["active"]) == ("Ana S.", False)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"availability": "busy"}, "availability"),
        ({"maxConcurrentSessions": 0}, "maxConcurrentSessions"),
        ({"maxConcurrentSessions": 1001}, "maxConcurrentSessions"),
        ({"maxConcurrentSessions": "2"}, "maxConcurrentSessions"),
        ({"departmentIds": ["not-a-uuid"]}, "departmentIds"),
        ({"active": "perhaps"}, "active"),
    ],
)
def test_bad_patches_are_a_400_that_changes_nothing(api_client, ana, body, field):
    before = api_client.get(f"/api/v1/agents/{ana.pk}").json()
    response = api_client.patch(f"/api/v1/agents/{ana.pk}", body, format="json")
    error = assert_error(response, 400)
    assert field in error["details"]
    assert api_client.get(f"/api/v1/agents/{ana.pk}").json() == before


def test_another_organizations_department_cannot_be_given(api_client, ana, other_organization):
    theirs = Department.objects.create(organization=other_organization, name="Deles")
    before = api_client.get(f"/api/v1/agents/{ana.pk}").json()
    # Well-formed ids that name no department of the organization: a 422 on the field.
    for department_id in [str(theirs.pk), "00000000-0000-4000-8000-000000000000"]:
        response = api_client.patch(
            f"/api/v1/agents/{ana.pk}", {"departmentIds": [department_id]}, format="json"
        )
        assert "departmentIds" in assert_error(response, 422)["details"]
    assert api_client.get(f"/api/v1/agents/{ana.pk}").json() == before


def test_an_organization_sees_its_own_agents_only(api_client, other_api_client, ana):
    assert other_api_client.get("/api/v1/agents").json()["data"] == []
    assert_error(other_api_client.get(f"/api/v1/agents/{ana.pk}"), 404)
    assert_error(
        other_api_client.patch(f"/api/v1/agents/{ana.pk}", {"active": False}, format="json"), 404
    )
    assert Agent.objects.get(pk=ana.pk).is_active


def test_the_api_takes_json_only(api_client, ana):
    response = api_client.patch(
        f"/api/v1/agents/{ana.pk}", {"availability": "online"}, format="multipart"
    )
    assert_error(response, 415)


def test_idle_agents_go_offline(api_client, ana, organization, settings):
    settings.AGENT_IDLE_OFFLINE_MINUTES = 30
    api_client.patch(f"/api/v1/agents/{ana.pk}", {"availability": "online"}, format="json")
    bruno = factories.make_agent(organization, username="bruno")
    Agent.objects.filter(pk=bruno.pk).update(availability="away", last_seen_at=timezone.now())
    assert agents_idle_offline() == 0
    Agent.objects.filter(pk=ana.pk).update(last_seen_at=timezone.now() - timedelta(minutes=31))
    assert agents_idle_offline() == 1
    assert Agent.objects.get(pk=ana.pk).availability == "offline"
    assert Agent.objects.get(pk=bruno.pk).availability == "away"


def test_a_console_request_keeps_an_agent_from_idling(client, ana, settings):
    Agent.objects.filter(pk=ana.pk).update(
        availability="online", last_seen_at=timezone.now() - timedelta(minutes=31)
    )
    client.force_login(ana.user)
    client.get("/admin/")
    assert agents_idle_offline() == 0
    assert Agent.objects.get(pk=ana.pk).availability == "online"
