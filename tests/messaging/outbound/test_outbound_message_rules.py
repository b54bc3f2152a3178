"""message_create_outbound: the AI reply rule, takeover, idempotency, the 24 h window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, ValidationError
from messaging.models import Message
from messaging.outbound.services import message_create_outbound
from providers.models import Provider
from sessions_app.models import SessionStatus
from sessions_app.services.ai_block import session_block_ai
from tests.support import factories


def ai_reply(session, **kwargs):
    kwargs.setdefault("send_external", False)
    return message_create_outbound(
        session=session, author="AI", actor="api:ai", text="Olá!", **kwargs
    )


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda s: session_block_ai(session=s, minutes=10, actor="agent:ana"), "ai_blocked"),
        (lambda s: s.__class__.objects.filter(pk=s.pk).update(status="PAUSED"), "session_paused"),
        (lambda s: s.__class__.objects.filter(pk=s.pk).update(status="CLOSED"), "session_closed"),
        (lambda s: s.contact.__class__.objects.update(bypass_bots=True), "bypass_bots"),
    ],
    ids=["blocked", "paused", "closed", "bypass"],
)
def test_an_ai_reply_is_refused_and_nothing_is_stored(chat_session, setup, code):
    setup(chat_session)
    with pytest.raises(Conflict) as raised:
        ai_reply(chat_session, send_external=True)
    assert (raised.value.code, raised.value.status) == (code, 409)
    assert not Message.objects.exists()


def test_an_expired_block_lets_the_ai_reply(chat_session):
    chat_session.ai_blocked_until = timezone.now() - timedelta(seconds=1)
    chat_session.save()
    message, created = ai_reply(chat_session)
    assert created and message.author == "AI"


def test_the_first_ai_reply_activates_a_queued_session(chat_session):
    ai_reply(chat_session)
    chat_session.refresh_from_db()
    assert chat_session.status == SessionStatus.ACTIVE
    ai_reply(chat_session)
    assert chat_session.events.filter(code="status_changed").count() == 1


def test_an_agent_message_blocks_the_ai_for_the_takeover_time(chat_session):
    before = timezone.now()
    message, _ = message_create_outbound(
        session=chat_session,
        author="AGENT",
        actor="agent:ana",
        text="Sou a Ana",
        send_external=False,
    )
    chat_session.refresh_from_db()
    assert chat_session.status == SessionStatus.ACTIVE  # picked up from the queue
    assert chat_session.ai_blocked_until >= before + timedelta(minutes=60)
    assert chat_session.ai_blocked_by == "agent:ana"
    assert message.send_external is False and message.delivery_status == "PENDING"
    with pytest.raises(Conflict) as raised:
        ai_reply(chat_session)
    assert raised.value.code == "ai_blocked"


def test_the_same_idempotency_key_returns_the_first_message(chat_session):
    first, created = ai_reply(chat_session, idempotency_key="k-1")
    again, created_again = ai_reply(chat_session, idempotency_key="k-1")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Message.objects.count() == 1


def test_pause_session_pauses_it(chat_session):
    message_create_outbound(
        session=chat_session,
        author="AGENT",
        actor="agent:ana",
        text="Volto já",
        send_external=False,
        pause_session=True,
    )
    chat_session.refresh_from_db()
    assert chat_session.status == SessionStatus.PAUSED


def test_an_empty_message_is_a_validation_error(chat_session):
    with pytest.raises(ValidationError):
        message_create_outbound(session=chat_session, author="AGENT", actor="x", text="  ")


def test_cloud_api_free_form_send_outside_the_window_is_refused(organization, contact):
    instance = factories.make_instance(organization, provider=Provider.CLOUDAPI)
    session = factories.make_session(
        contact=contact,
        instance=instance,
        whatsapp_window_expires_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(Conflict) as raised:
        message_create_outbound(session=session, author="AGENT", actor="agent:ana", text="oi")
    assert raised.value.code == "whatsapp_window_closed"
    assert not Message.objects.exists()
    # Recording without sending is still allowed.
    _, created = message_create_outbound(
        session=session, author="AGENT", actor="agent:ana", text="nota", send_external=False
    )
    assert created


def test_sending_queues_the_outbound_send(chat_session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message, _ = message_create_outbound(
            session=chat_session, author="AGENT", actor="agent:ana", text="oi"
        )
    assert message.send_external is True
    assert callbacks, "nothing was queued after commit"
