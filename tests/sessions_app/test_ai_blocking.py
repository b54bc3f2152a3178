from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ValidationError
from integrations.models import Delivery
from sessions_app.models import SessionEvent
from sessions_app.selectors import session_ai_status
from sessions_app.services.ai_block import session_block_ai, session_takeover, session_unblock_ai
from sessions_app.tasks import sessions_expire_ai_blocks


@pytest.mark.parametrize("minutes", [0, 1441, -5, 2.5, True, "10"])
def test_it_rejects_a_block_outside_1_to_1440_minutes(chat_session, minutes):
    with pytest.raises(ValidationError):
        session_block_ai(session=chat_session, minutes=minutes, actor="api:x")
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until is None


def test_block_then_status_then_unblock(chat_session, integration):
    now = timezone.now()
    session_block_ai(session=chat_session, minutes=30, actor="agent:ana", reason="humano")
    status = session_ai_status(chat_session, now=now)
    assert status["blocked"] is True
    assert status["reason"] == "humano"
    assert status["blockedBy"] == "agent:ana"
    assert 29 * 60 < status["remainingSeconds"] <= 30 * 60 + 1
    assert (status["wouldDispatch"], status["notDispatchedReason"]) == (False, "ai_blocked")

    session_unblock_ai(session=chat_session, actor="agent:ana")
    status = session_ai_status(chat_session)
    assert status == {
        "blocked": False,
        "blockedUntil": None,
        "remainingSeconds": 0,
        "reason": "",
        "blockedBy": "",
        "wouldDispatch": True,
        "notDispatchedReason": None,
    }
    assert list(
        SessionEvent.objects.filter(session=chat_session).values_list("code", flat=True)
    ) == ["ai_blocked", "ai_unblocked"]


def test_an_expired_block_no_longer_blocks_even_before_housekeeping(chat_session, integration):
    chat_session.ai_blocked_until = timezone.now() - timedelta(seconds=1)
    chat_session.save()
    assert session_ai_status(chat_session)["blocked"] is False
    assert session_ai_status(chat_session)["wouldDispatch"] is True


def test_status_without_an_integration_says_so(chat_session):
    assert session_ai_status(chat_session)["notDispatchedReason"] == "no_integration"


def test_housekeeping_clears_expired_blocks_and_records_it(chat_session):
    session_block_ai(session=chat_session, minutes=5, actor="api:x")
    chat_session.ai_blocked_until = timezone.now() - timedelta(seconds=1)
    chat_session.save()
    assert sessions_expire_ai_blocks() == 1
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until is None
    assert SessionEvent.objects.filter(session=chat_session).last().code == "ai_unblocked"
    assert sessions_expire_ai_blocks() == 0


def test_takeover_never_shortens_a_longer_block(chat_session):
    session_block_ai(session=chat_session, minutes=600, actor="agent:ana")
    until = chat_session.ai_blocked_until
    session_takeover(session=chat_session, actor="phone", reason="typed on the phone")
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until == until


def test_takeover_uses_the_instance_minutes(chat_session):
    chat_session.instance.human_takeover_minutes = 15
    chat_session.instance.save()
    before = timezone.now()
    session_takeover(session=chat_session, actor="agent:ana", reason="agent reply")
    chat_session.refresh_from_db()
    delta = chat_session.ai_blocked_until - before
    assert timedelta(minutes=15) <= delta < timedelta(minutes=15, seconds=5)


def test_block_is_published_to_subscribed_integrations(chat_session, organization, receiver):
    from integrations.services import integration_create

    hook = integration_create(
        organization=organization,
        name="crm",
        url=receiver.url + "/crm",
        events=["session.ai_blocked", "session.status_changed"],
    )
    session_block_ai(session=chat_session, minutes=10, actor="api:x", reason="r")
    delivery = Delivery.objects.get(integration=hook)
    assert delivery.event == "session.ai_blocked"
    assert delivery.payload["blocked"] is True
    assert delivery.payload["session"]["id"] == str(chat_session.id)
    assert delivery.payload["organizationId"] == str(organization.id)
