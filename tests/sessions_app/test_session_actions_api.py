import pytest

from sessions_app.models import ChatSession, SessionEvent, SessionStatus, SessionTabulation
from tests.support import factories
from tests.support.api import assert_error


def url(session, action):
    return f"/api/v1/sessions/{session.id}/{action}"


def test_block_ai_then_status_then_unblock(api_client, chat_session):
    response = api_client.post(
        url(chat_session, "block-ai"), {"durationMinutes": 30, "reason": "human"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["aiBlocked"] is True
    assert body["aiBlockReason"] == "human"
    assert body["aiBlockedBy"] == "api:test"

    status = api_client.get(url(chat_session, "ai-status")).json()
    assert status["blocked"] is True
    assert 1790 <= status["remainingSeconds"] <= 1800
    assert status["reason"] == "human"
    assert status["wouldDispatch"] is False
    assert status["notDispatchedReason"] == "ai_blocked"
    assert set(status) == {
        "blocked",
        "blockedUntil",
        "remainingSeconds",
        "reason",
        "blockedBy",
        "wouldDispatch",
        "notDispatchedReason",
    }

    body = api_client.post(url(chat_session, "unblock-ai")).json()
    assert body["aiBlocked"] is False
    assert api_client.get(url(chat_session, "ai-status")).json()["blocked"] is False


@pytest.mark.parametrize("minutes", [0, 1441, -1, "ten", None])
def test_block_ai_rejects_durations_outside_1_to_1440(api_client, chat_session, minutes):
    response = api_client.post(
        url(chat_session, "block-ai"), {"durationMinutes": minutes}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "durationMinutes" in error["details"]
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until is None


def test_close_needs_an_end_reason_and_reopen_works(api_client, chat_session):
    assert_error(api_client.post(url(chat_session, "close"), {}, format="json"), 400)
    body = api_client.post(url(chat_session, "close"), {"endReason": "Resolved"}, format="json")
    assert body.status_code == 200
    assert body.json()["status"] == "CLOSED"
    assert body.json()["endReason"] == "Resolved"
    assert body.json()["closedAt"] is not None
    assert_error(
        api_client.post(url(chat_session, "close"), {"endReason": "again"}, format="json"), 409
    )
    body = api_client.post(url(chat_session, "reopen")).json()
    assert body["status"] != "CLOSED"


def test_reopen_conflicts_when_another_session_is_open(api_client, contact, instance):
    closed = factories.make_session(contact=contact, instance=instance, status=SessionStatus.CLOSED)
    factories.make_session(contact=contact, instance=instance, status=SessionStatus.ACTIVE)
    assert_error(api_client.post(url(closed, "reopen")), 409)


def test_status_change_and_invalid_transition(api_client, chat_session):
    response = api_client.patch(
        url(chat_session, "status"), {"status": "ACTIVE", "statusReason": "picked"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ACTIVE"
    response = api_client.patch(url(chat_session, "status"), {"status": "QUEUED"}, format="json")
    error = assert_error(response, 409, "invalid_transition")
    assert error["details"]["from"] == "ACTIVE"
    assert "allowed" in error["details"]
    assert_error(
        api_client.patch(url(chat_session, "status"), {"status": "OPEN"}, format="json"), 400
    )


def test_assign_department_and_agent(api_client, chat_session, organization, department):
    agent = factories.make_agent(organization)
    response = api_client.post(
        url(chat_session, "assign"),
        {"departmentId": str(department.id), "agentId": str(agent.id)},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["assignedDepartmentId"] == str(department.id)
    assert body["assignedAgentId"] == str(agent.id)


def test_assign_refuses_another_organizations_department(
    api_client, chat_session, other_organization
):
    from accounts.models import Department

    foreign = Department.objects.create(organization=other_organization, name="Theirs")
    response = api_client.post(
        url(chat_session, "assign"), {"departmentId": str(foreign.id)}, format="json"
    )
    assert_error(response, 422)
    chat_session.refresh_from_db()
    assert chat_session.assigned_department_id is None


def test_tags_add_idempotently_and_remove(api_client, chat_session, tabulation):
    body = {"tabulationIds": [str(tabulation.id)]}
    api_client.post(url(chat_session, "tags"), body, format="json")
    response = api_client.post(url(chat_session, "tags"), body, format="json")
    assert response.status_code == 200
    assert response.json()["tabulations"] == [
        {"id": str(tabulation.id), "name": "Lead", "backgroundColor": "#ff9900"}
    ]
    assert SessionTabulation.objects.count() == 1
    response = api_client.delete(url(chat_session, "tags"), body, format="json")
    assert response.json()["tabulations"] == []
    assert api_client.delete(url(chat_session, "tags"), body, format="json").status_code == 200


def test_tags_refuse_another_organizations_tabulation(api_client, chat_session, other_organization):
    foreign = factories.make_tabulation(other_organization)
    response = api_client.post(
        url(chat_session, "tags"), {"tabulationIds": [str(foreign.id)]}, format="json"
    )
    assert_error(response, 422)
    assert_error(
        api_client.post(url(chat_session, "tags"), {"tabulationIds": []}, format="json"), 400
    )


def test_every_action_is_recorded_with_the_api_actor(api_client, chat_session):
    api_client.post(url(chat_session, "block-ai"), {"durationMinutes": 5}, format="json")
    api_client.post(url(chat_session, "close"), {"endReason": "done"}, format="json")
    actors = set(SessionEvent.objects.filter(session=chat_session).values_list("actor", flat=True))
    assert actors == {"api:test"}
    assert ChatSession.objects.get().status == SessionStatus.CLOSED
