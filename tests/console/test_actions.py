"""Every conversation action goes through the services and reports the outcome."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from sessions_app.models import SessionEvent
from tests.support import factories

pytestmark = pytest.mark.django_db


def act(client, session, action, data=None):
    url = reverse("admin:sessions_app_chatsession_action", args=[session.pk, action])
    response = client.post(url, data or {}, follow=True)
    assert response.redirect_chain == [
        (f"/admin/sessions_app/chatsession/{session.pk}/conversation/", 302)
    ]
    session.refresh_from_db()
    # Following the redirect renders the page, which consumes the messages.
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def last_event(session):
    return SessionEvent.objects.filter(session=session).order_by("-created_at").first()


def test_take_over_blocks_the_ai_for_the_given_minutes(agent_client, chat_session):
    before = timezone.now()
    result = act(agent_client, chat_session, "take-over", {"minutes": "30", "reason": "VIP"})
    assert result == [("success", "You took over: the AI is blocked for 30 minutes.")]
    assert before + timedelta(minutes=29) < chat_session.ai_blocked_until
    assert chat_session.ai_blocked_until < timezone.now() + timedelta(minutes=31)
    assert chat_session.ai_block_reason == "VIP"
    assert chat_session.ai_blocked_by == "agent:ana"
    assert last_event(chat_session).actor == "agent:ana"


def test_take_over_with_a_bad_duration_shows_the_services_error(agent_client, chat_session):
    result = act(agent_client, chat_session, "take-over", {"minutes": "5000"})
    assert result[0][0] == "error"
    assert "1440" in result[0][1]
    assert chat_session.ai_blocked_until is None
    result = act(agent_client, chat_session, "take-over", {"minutes": "soon"})
    assert result == [("error", "Minutes must be a whole number.")]


def test_give_back_unblocks_the_ai(agent_client, chat_session):
    act(agent_client, chat_session, "take-over", {"minutes": "10"})
    result = act(agent_client, chat_session, "give-back")
    assert result == [("success", "The AI is back in charge of this conversation.")]
    assert chat_session.ai_blocked_until is None
    assert last_event(chat_session).code == "ai_unblocked"


def test_accept_pause_resume_close_and_reopen(agent_client, chat_session):
    assert act(agent_client, chat_session, "accept") == [("success", "Session is active.")]
    assert chat_session.status == "ACTIVE"

    result = act(agent_client, chat_session, "pause", {"minutes": "15", "reason": "lunch"})
    assert result == [("success", "Session paused for 15 minutes.")]
    assert chat_session.status == "PAUSED"
    assert chat_session.paused_until > timezone.now() + timedelta(minutes=14)

    assert act(agent_client, chat_session, "resume") == [("success", "Session resumed.")]
    assert chat_session.status == "ACTIVE"

    result = act(agent_client, chat_session, "close", {"end_reason": "resolved"})
    assert result == [("success", "Session closed.")]
    assert chat_session.status == "CLOSED"
    assert chat_session.end_reason == "resolved"

    assert act(agent_client, chat_session, "reopen") == [("success", "Session reopened.")]
    assert chat_session.status == "ACTIVE"
    assert {e.actor for e in SessionEvent.objects.filter(session=chat_session)} == {"agent:ana"}


def test_close_without_a_reason_is_refused_with_the_services_message(agent_client, chat_session):
    result = act(agent_client, chat_session, "close", {"end_reason": "  "})
    assert result == [("error", "Closing a session needs an endReason.")]
    assert chat_session.status == "QUEUED"


def test_reopen_is_refused_when_another_session_is_open(agent_client, chat_session):
    act(agent_client, chat_session, "close", {"end_reason": "done"})
    factories.make_session(contact=chat_session.contact, instance=chat_session.instance)
    result = act(agent_client, chat_session, "reopen")
    assert result == [("error", "Another session is open for this contact on this instance.")]
    assert chat_session.status == "CLOSED"


def test_assign_to_me_to_an_agent_and_to_a_department(agent_client, agent, chat_session):
    colleague = factories.make_agent(chat_session.organization, username="bia")
    department = Department.objects.create(organization=chat_session.organization, name="Vendas")

    assert act(agent_client, chat_session, "assign", {"target": "me"}) == [
        ("success", "Assigned to you.")
    ]
    assert chat_session.assigned_agent == agent

    act(agent_client, chat_session, "assign", {"target": f"agent:{colleague.pk}"})
    assert chat_session.assigned_agent == colleague

    result = act(agent_client, chat_session, "assign", {"target": f"department:{department.pk}"})
    assert result == [("success", "Assigned to the Vendas department.")]
    assert chat_session.assigned_department == department
    assert act(agent_client, chat_session, "assign", {"target": "agent:nope"}) == [
        ("error", "Unknown agent.")
    ]


def test_a_superuser_without_membership_cannot_assign_to_me(superuser_client, chat_session):
    result = act(superuser_client, chat_session, "assign", {"target": "me"})
    assert result == [("error", "You are not an agent of this organization.")]


def test_add_and_remove_tags(agent_client, agent, chat_session, organization):
    tag = factories.make_tabulation(organization, name="vip")
    assert act(agent_client, chat_session, "tag-add", {"tabulation": str(tag.pk)}) == [
        ("success", "Tag vip added.")
    ]
    link = chat_session.session_tabulations.get()
    assert link.tabulation == tag and link.added_by == agent.user
    assert act(agent_client, chat_session, "tag-remove", {"tabulation": str(tag.pk)}) == [
        ("success", "Tag vip removed.")
    ]
    assert not chat_session.session_tabulations.exists()
    assert [e.code for e in SessionEvent.objects.filter(session=chat_session)] == [
        "tag_added",
        "tag_removed",
    ]


def test_toggle_bypass_bots_on_the_contact(agent_client, chat_session):
    result = act(agent_client, chat_session, "bypass", {"bypass_bots": "on"})
    assert result == [("success", "Contact set to bypass bots: the AI will not answer them.")]
    chat_session.contact.refresh_from_db()
    assert chat_session.contact.bypass_bots is True
    assert last_event(chat_session).code == "bypass_bots"
    act(agent_client, chat_session, "bypass", {"bypass_bots": "off"})
    chat_session.contact.refresh_from_db()
    assert chat_session.contact.bypass_bots is False


def test_actions_need_post_and_a_csrf_token(agent, chat_session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    url = reverse("admin:sessions_app_chatsession_action", args=[chat_session.pk, "take-over"])
    assert client.get(url).status_code == 405
    assert client.post(url, {"minutes": "10"}).status_code == 403
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until is None


def test_an_unknown_action_is_404(agent_client, chat_session):
    url = reverse("admin:sessions_app_chatsession_action", args=[chat_session.pk, "explode"])
    assert agent_client.post(url).status_code == 404


@pytest.mark.parametrize("minutes", ["0", "-5", "10000000000"])
def test_a_pause_length_out_of_range_is_refused_with_a_message(agent_client, chat_session, minutes):
    result = act(agent_client, chat_session, "pause", {"minutes": minutes})
    assert result == [("error", "Minutes must be between 1 and 525600 (a year).")]
    assert chat_session.status == "QUEUED"
