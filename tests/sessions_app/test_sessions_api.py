from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.models import ChatSession, SessionEvent, SessionStatus, SessionTabulation
from tests.support import factories
from tests.support.api import assert_error


def iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def test_list_returns_the_session_shape(api_client, chat_session, tabulation, department):
    SessionTabulation.objects.create(session=chat_session, tabulation=tabulation)
    chat_session.assigned_department = department
    chat_session.save()
    response = api_client.get("/api/v1/sessions")
    assert response.status_code == 200
    body = response.json()
    s = ChatSession.objects.get()
    assert body["data"] == [
        {
            "id": str(s.id),
            "contactId": str(s.contact_id),
            "instanceId": str(s.instance_id),
            "status": "QUEUED",
            "startedBy": "CUSTOMER",
            "statusReason": "",
            "endReason": "",
            "externalId": "",
            "assignedDepartmentId": str(department.id),
            "assignedAgentId": None,
            "assignedCustomerId": "",
            "assignedDepartment": {"id": str(department.id), "name": "Vendas"},
            "assignedAgent": None,
            "concatTimeout": 8,
            "aiBlocked": False,
            "aiBlockedUntil": None,
            "aiBlockReason": "",
            "aiBlockedBy": "",
            "businessHours": {"open": True, "nextOpenAt": None},
            "pausedUntil": None,
            "pausedBy": "",
            "lastCustomerMessageAt": None,
            "whatsappWindowExpiresAt": None,
            "contact": {"id": str(s.contact_id), "name": "Maria", "phone": "5511987654321"},
            "instance": {"id": str(s.instance_id), "name": "Main", "provider": "sandbox"},
            "tabulations": [
                {"id": str(tabulation.id), "name": "Lead", "backgroundColor": "#ff9900"}
            ],
            "csat": None,
            "startedAt": iso(s.started_at),
            "closedAt": None,
            "lastMessageAt": None,
            "createdAt": iso(s.created_at),
            "updatedAt": iso(s.updated_at),
        }
    ]
    assert body["pagination"]["total_data"] == 1


@pytest.fixture
def three_sessions(organization, instance, tabulation, department):
    now = timezone.now()
    agent = factories.make_agent(organization)
    other_instance = factories.make_instance(organization, name="Second")
    a = factories.make_session(
        contact=factories.make_contact(organization, phone="5511911110001", name="Ana"),
        instance=instance,
        status=SessionStatus.ACTIVE,
        assigned_agent=agent,
        last_message_at=now - timedelta(hours=3),
        ai_blocked_until=now + timedelta(minutes=30),
    )
    b = factories.make_session(
        contact=factories.make_contact(organization, phone="5511922220002", name="Bruno"),
        instance=other_instance,
        status=SessionStatus.PAUSED,
        assigned_department=department,
        last_message_at=now - timedelta(hours=1),
        ai_blocked_until=now - timedelta(minutes=1),
    )
    c = factories.make_session(
        contact=factories.make_contact(organization, phone="5521933330003", name="Carla"),
        instance=instance,
        status=SessionStatus.CLOSED,
        last_message_at=now - timedelta(hours=2),
    )
    SessionTabulation.objects.create(session=c, tabulation=tabulation)
    return {"a": a, "b": b, "c": c, "agent": agent, "other_instance": other_instance, "now": now}


def _names(api_client, **params):
    body = api_client.get("/api/v1/sessions", params).json()
    return [row["contact"]["name"] for row in body["data"]]


def test_list_filters(api_client, three_sessions, tabulation, department, instance):
    s = three_sessions
    assert _names(api_client) == ["Bruno", "Carla", "Ana"]
    assert _names(api_client, status="ACTIVE") == ["Ana"]
    assert _names(api_client, status=["ACTIVE", "PAUSED"]) == ["Bruno", "Ana"]
    assert _names(api_client, contactId=str(s["b"].contact_id)) == ["Bruno"]
    assert _names(api_client, instanceId=str(instance.id)) == ["Carla", "Ana"]
    assert _names(api_client, assignedAgentId=str(s["agent"].id)) == ["Ana"]
    assert _names(api_client, assignedDepartmentId=str(department.id)) == ["Bruno"]
    assert _names(api_client, aiBlocked="true") == ["Ana"]
    assert _names(api_client, aiBlocked="false") == ["Bruno", "Carla"]
    assert _names(api_client, tabulationId=str(tabulation.id)) == ["Carla"]
    assert _names(api_client, search="carl") == ["Carla"]
    assert _names(api_client, search="11 92222") == ["Bruno"]
    since = (s["now"] - timedelta(minutes=150)).isoformat()
    assert _names(api_client, lastMessageFrom=since) == ["Bruno", "Carla"]
    assert _names(api_client, lastMessageTo=since) == ["Ana"]
    assert _names(api_client, createdFrom=(s["now"] - timedelta(days=1)).isoformat()) == [
        "Bruno",
        "Carla",
        "Ana",
    ]
    assert _names(api_client, createdTo=(s["now"] - timedelta(days=1)).isoformat()) == []
    assert _names(api_client, ordering="lastMessageAt") == ["Ana", "Carla", "Bruno"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "OPEN"},
        {"contactId": "not-a-uuid"},
        {"aiBlocked": "perhaps"},
        {"createdFrom": "yesterday"},
        {"ordering": "phone"},
        {"page": "0"},
        {"page": "abc"},
        {"limit": "-5"},
        {"page": "99999999999999999999"},
    ],
)
def test_bad_filters_are_400(api_client, params):
    assert_error(api_client.get("/api/v1/sessions", params), 400)


def test_limit_above_100_is_a_400_and_pages_past_the_end_are_empty(api_client, chat_session):
    assert (
        "limit" in assert_error(api_client.get("/api/v1/sessions", {"limit": 101}), 400)["details"]
    )
    body = api_client.get("/api/v1/sessions", {"limit": 100, "page": 7}).json()
    assert body["data"] == []
    assert body["pagination"]["limit"] == 100
    assert body["pagination"]["page"] == 7


def test_detail_with_and_without_messages(api_client, chat_session):
    first = factories.make_message(chat_session, text="primeira")
    second = factories.make_message(chat_session, text="segunda")
    body = api_client.get(f"/api/v1/sessions/{chat_session.id}").json()
    assert body["id"] == str(chat_session.id)
    assert "messages" not in body
    body = api_client.get(
        f"/api/v1/sessions/{chat_session.id}", {"includeMessages": "true", "messagesLimit": 1}
    ).json()
    assert [m["id"] for m in body["messages"]] == [str(second.id)]
    body = api_client.get(f"/api/v1/sessions/{chat_session.id}?includeMessages=true").json()
    assert [m["content"]["text"] for m in body["messages"]] == ["primeira", "segunda"]
    assert first.id
    assert_error(
        api_client.get(f"/api/v1/sessions/{chat_session.id}?includeMessages=1&messagesLimit=x"),
        400,
    )


def test_session_messages_are_paged_newest_first(api_client, chat_session):
    for n in range(3):
        factories.make_message(chat_session, text=f"m{n}")
    body = api_client.get(f"/api/v1/sessions/{chat_session.id}/messages", {"limit": 2}).json()
    assert [m["content"]["text"] for m in body["data"]] == ["m2", "m1"]
    assert body["pagination"]["total_data"] == 3


def test_create_a_business_session_by_phone(api_client, instance, department):
    response = api_client.post(
        "/api/v1/sessions",
        {
            "phone": "+55 31 8765-4321",
            "instanceId": str(instance.id),
            "externalId": "crm-9",
            "assignedDepartmentId": str(department.id),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "QUEUED"
    assert body["startedBy"] == "BUSINESS"
    assert body["externalId"] == "crm-9"
    assert body["contact"]["phone"] == "5531987654321"
    assert body["assignedDepartmentId"] == str(department.id)
    session = ChatSession.objects.get(pk=body["id"])
    assert SessionEvent.objects.filter(session=session, actor="api:test").exists()


def test_create_conflicts_when_a_session_is_open(api_client, chat_session):
    response = api_client.post(
        "/api/v1/sessions",
        {"contactId": str(chat_session.contact_id), "instanceId": str(chat_session.instance_id)},
        format="json",
    )
    error = assert_error(response, 409, "session_already_open")
    assert error["details"]["sessionId"] == str(chat_session.id)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone": "5511987654321"},
        {"contactId": "00000000-0000-0000-0000-000000000000", "phone": "1", "instanceId": None},
        {"phone": "xyz", "instanceId": "INSTANCE"},
    ],
)
def test_create_validation(api_client, instance, body):
    body = {k: (str(instance.id) if v == "INSTANCE" else v) for k, v in body.items()}
    assert_error(api_client.post("/api/v1/sessions", body, format="json"), 400)


def test_create_refuses_an_unknown_instance_with_a_422(api_client):
    body = {"phone": "5511987654321", "instanceId": "00000000-0000-0000-0000-000000000000"}
    response = api_client.post("/api/v1/sessions", body, format="json")
    assert "instanceId" in assert_error(response, 422)["details"]


def test_create_refuses_another_organizations_contact(api_client, instance, other_organization):
    foreign = factories.make_contact(other_organization, phone="5511900000000")
    response = api_client.post(
        "/api/v1/sessions",
        {"contactId": str(foreign.id), "instanceId": str(instance.id)},
        format="json",
    )
    error = assert_error(response, 422)
    assert "contactId" in error["details"]


def test_sessions_filter_by_satisfaction_rating(api_client, organization, instance):
    rated = {}
    for rating in (2, 5, None):
        contact = factories.make_contact(organization)
        session = factories.make_session(
            contact=contact, instance=instance, status="CLOSED", csat_rating=rating
        )
        rated[rating] = session
    rated[5].csat_comment = "ótimo"
    rated[5].csat_answered_at = timezone.now()
    rated[5].save()
    found = api_client.get("/api/v1/sessions", {"csatRating": 5}).json()["data"]
    assert [s["id"] for s in found] == [str(rated[5].id)]
    assert found[0]["csat"] == {
        "rating": 5,
        "comment": "ótimo",
        "answeredAt": iso(rated[5].csat_answered_at),
    }
    both = api_client.get("/api/v1/sessions?csatRating=2&csatRating=5").json()["data"]
    assert {s["id"] for s in both} == {str(rated[2].id), str(rated[5].id)}
    assert_error(api_client.get("/api/v1/sessions", {"csatRating": 6}), 400)


def test_a_time_with_an_offset_postgresql_refuses_is_read_in_utc(api_client, chat_session):
    # ISO-8601 allows "-22:46"; PostgreSQL only ±15:59.
    response = api_client.get("/api/v1/sessions", {"lastMessageFrom": "1897-11-30T14:02:22-22:46"})
    assert response.status_code == 200
    assert_error(
        api_client.get("/api/v1/sessions", {"createdFrom": "0001-01-01T00:00:00+05:00"}), 400
    )
