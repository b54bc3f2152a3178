"""A session reads the same in the API and in the events sent to integrations.

After each change that publishes an event, the event's ``session`` object
and ``GET /api/v1/sessions/{id}`` agree on every key they share; the keys
only the API has are the documented set below (see sessions_app.payloads).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Delivery, Integration
from messaging.models import Turn
from messaging.turns.dispatch import turn_ready_payload
from sessions_app.models import ChatSession
from sessions_app.payloads import SESSION_API_KEYS, SESSION_EVENT_KEYS, TURN_READY_SESSION_KEYS
from sessions_app.serializers import SessionSerializer
from sessions_app.services.lifecycle import session_pause
from tests.support import factories

# The API's session keys, in the order it writes them.
API_KEYS = [
    "id",
    "contactId",
    "instanceId",
    "status",
    "startedBy",
    "statusReason",
    "endReason",
    "externalId",
    "assignedDepartmentId",
    "assignedAgentId",
    "assignedCustomerId",
    "assignedDepartment",
    "assignedAgent",
    "concatTimeout",
    "aiBlocked",
    "aiBlockedUntil",
    "aiBlockReason",
    "aiBlockedBy",
    "businessHours",
    "pausedUntil",
    "pausedBy",
    "lastCustomerMessageAt",
    "whatsappWindowExpiresAt",
    "contact",
    "instance",
    "tabulations",
    "csat",
    "startedAt",
    "closedAt",
    "lastMessageAt",
    "createdAt",
    "updatedAt",
]
# The session events' (session.status_changed, session.ai_blocked,
# session.handoff), in the order they write them.
EVENT_KEYS = [
    "id",
    "status",
    "startedBy",
    "statusReason",
    "endReason",
    "externalId",
    "contactId",
    "instanceId",
    "assignedDepartmentId",
    "assignedAgentId",
    "aiBlockedUntil",
    "aiBlockReason",
    "pausedUntil",
    "closedAt",
]
TURN_READY_KEYS = [
    "id",
    "status",
    "startedBy",
    "externalId",
    "assignedDepartmentId",
    "assignedAgentId",
    "businessHours",
]


def test_one_builder_writes_every_key_the_schema_declares():
    # The serializer's fields are what drf-spectacular documents; the
    # builder writes the values: the two lists are one.
    assert list(SessionSerializer().fields) == API_KEYS == list(SESSION_API_KEYS)
    assert list(SESSION_EVENT_KEYS) == EVENT_KEYS
    assert list(TURN_READY_SESSION_KEYS) == TURN_READY_KEYS


@pytest.fixture
def hook(organization):
    return Integration.objects.create(
        organization=organization,
        name="crm",
        url="http://127.0.0.1:9/hook",
        events=["session.status_changed", "session.ai_blocked"],
    )


class Events:
    """The session objects of the deliveries written since the last look."""

    def __init__(self, hook):
        self.hook = hook
        self.seen: set = set()

    def new(self) -> list[dict]:
        rows = Delivery.objects.filter(integration=self.hook).exclude(pk__in=self.seen)
        fresh = sorted(rows, key=lambda d: d.created_at)
        self.seen.update(d.pk for d in fresh)
        return [d.payload["session"] for d in fresh]

    def last(self) -> dict:
        fresh = self.new()
        assert fresh, "the change published no event"
        return fresh[-1]


def assert_same_session(api_client, session_id, event_session: dict, keys=EVENT_KEYS) -> dict:
    body = api_client.get(f"/api/v1/sessions/{session_id}").json()
    assert list(body) == API_KEYS
    assert sorted(event_session) == sorted(keys)
    assert {key: body[key] for key in keys} == event_session
    return body


def test_an_open_session_with_the_ai_blocked(api_client, hook, contact, instance):
    events = Events(hook)
    created = api_client.post(
        "/api/v1/sessions",
        {"contactId": str(contact.id), "instanceId": str(instance.id), "externalId": "crm-1"},
        format="json",
    ).json()
    body = assert_same_session(api_client, created["id"], events.last())
    assert body["status"] == "QUEUED"
    assert created == body

    url = f"/api/v1/sessions/{created['id']}"
    api_client.patch(f"{url}/status", {"status": "ACTIVE", "statusReason": "hi"}, format="json")
    assert_same_session(api_client, created["id"], events.last())

    blocked = api_client.post(
        f"{url}/block-ai", {"durationMinutes": 30, "reason": "agent took over"}, format="json"
    ).json()
    body = assert_same_session(api_client, created["id"], events.last())
    assert body["aiBlocked"] is True
    assert body["aiBlockedUntil"].endswith("Z")
    assert body["aiBlockReason"] == "agent took over"
    assert blocked == body

    api_client.post(f"{url}/unblock-ai")
    body = assert_same_session(api_client, created["id"], events.last())
    assert (body["aiBlocked"], body["aiBlockedUntil"], body["aiBlockReason"]) == (False, None, "")


def test_a_tagged_assigned_and_paused_session(api_client, hook, organization, contact, instance):
    from accounts.models import Department

    events = Events(hook)
    department = Department.objects.create(organization=organization, name="Vendas")
    agent = factories.make_agent(organization)
    tag = factories.make_tabulation(organization, name="Lead", background_color="#ff9900")
    created = api_client.post(
        "/api/v1/sessions",
        {
            "phone": "+55 11 91234-5678",
            "instanceId": str(instance.id),
            "startedBy": "AGENT",
            "assignedDepartmentId": str(department.id),
            "assignedAgentId": str(agent.id),
        },
        format="json",
    ).json()
    url = f"/api/v1/sessions/{created['id']}"
    api_client.post(f"{url}/tags", {"tabulationIds": [str(tag.id)]}, format="json")
    events.new()

    session = ChatSession.objects.get(pk=created["id"])
    session_pause(
        session=session,
        actor="agent:ana",
        paused_until=timezone.now() + timedelta(hours=1),
        reason="lunch",
    )
    body = assert_same_session(api_client, created["id"], events.last())
    assert body["status"] == "PAUSED"
    assert body["pausedUntil"] is not None
    assert body["assignedDepartmentId"] == str(department.id)
    assert body["assignedAgentId"] == str(agent.id)
    assert body["assignedDepartment"] == {"id": str(department.id), "name": "Vendas"}
    assert body["assignedAgent"] == {"id": str(agent.id), "name": agent.name}
    assert body["tabulations"] == [
        {"id": str(tag.id), "name": "Lead", "backgroundColor": "#ff9900"}
    ]


def test_a_closed_session(api_client, hook, chat_session):
    events = Events(hook)
    url = f"/api/v1/sessions/{chat_session.id}"
    api_client.post(f"{url}/close", {"endReason": "Resolvido"}, format="json")
    body = assert_same_session(api_client, chat_session.id, events.last())
    assert (body["status"], body["endReason"]) == ("CLOSED", "Resolvido")
    assert body["closedAt"].endswith("Z")

    api_client.post(f"{url}/reopen")
    body = assert_same_session(api_client, chat_session.id, events.last())
    assert (body["status"], body["closedAt"]) == ("ACTIVE", None)


def test_turn_ready_carries_the_same_session(api_client, organization, contact, instance):
    from accounts.models import Department

    department = Department.objects.create(organization=organization, name="Suporte")
    session = factories.make_session(
        contact=contact,
        instance=instance,
        status="ACTIVE",
        external_id="crm-9",
        assigned_department=department,
    )
    now = timezone.now()
    turn = Turn.objects.create(
        organization=organization, session=session, first_message_at=now, last_message_at=now
    )
    payload = turn_ready_payload(turn=turn, session=session, messages=[])
    assert list(payload["session"]) == TURN_READY_KEYS
    assert_same_session(api_client, session.id, payload["session"], keys=TURN_READY_KEYS)


def test_turn_ready_and_the_api_agree_on_a_departments_own_closed_hours(
    api_client, organization, contact, instance
):
    from accounts.models import Department
    from accounts.services import business_hours_put

    department = Department.objects.create(organization=organization, name="Noite")
    # The organization is always open; the department never (no period at all).
    business_hours_put(organization=organization, weekly=[], holidays=[], enabled=False)
    business_hours_put(
        organization=organization,
        department=department,
        weekly=[{"weekday": 0, "open": "00:00", "close": "00:01"}],
        holidays=[],
        enabled=True,
        timezone="UTC",
    )
    session = factories.make_session(
        contact=contact, instance=instance, status="ACTIVE", assigned_department=department
    )
    now = timezone.now()
    turn = Turn.objects.create(
        organization=organization, session=session, first_message_at=now, last_message_at=now
    )
    payload = turn_ready_payload(turn=turn, session=session, messages=[])
    body = assert_same_session(api_client, session.id, payload["session"], keys=TURN_READY_KEYS)
    assert body["businessHours"]["open"] is False
    assert body["businessHours"]["nextOpenAt"].endswith("T00:00:00Z")
