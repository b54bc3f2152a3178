from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidTransition, ValidationError
from sessions_app.models import ChatSession, SessionEvent, SessionStatus
from sessions_app.services.lifecycle import (
    ALLOWED_TRANSITIONS,
    session_change_status,
    session_close,
    session_create,
    session_pause,
    session_reopen,
    session_resume,
)
from tests.support import factories

S = SessionStatus
ALL_PAIRS = [(a, b) for a in S.values for b in S.values]
VALID = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED_TRANSITIONS[a]]
INVALID = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED_TRANSITIONS[a]]


def test_the_allowed_set_is_the_documented_state_machine():
    assert VALID == [
        ("QUEUED", "ACTIVE"),
        ("QUEUED", "PAUSED"),
        ("QUEUED", "CLOSED"),
        ("ACTIVE", "PAUSED"),
        ("ACTIVE", "CLOSED"),
        ("PAUSED", "ACTIVE"),
        ("PAUSED", "CLOSED"),
        ("CLOSED", "ACTIVE"),
    ]


@pytest.mark.parametrize(("current", "target"), INVALID)
def test_it_rejects_every_invalid_transition(contact, instance, current, target):
    session = factories.make_session(contact=contact, instance=instance, status=current)
    with pytest.raises(InvalidTransition) as raised:
        session_change_status(session=session, status=target, actor="api:test", reason="r")
    assert raised.value.status == 409
    assert raised.value.details == {
        "from": current,
        "to": target,
        "allowed": [str(s) for s in ALLOWED_TRANSITIONS[current]],
    }
    session.refresh_from_db()
    assert session.status == current
    assert not SessionEvent.objects.filter(session=session).exists()


@pytest.mark.parametrize(("current", "target"), VALID)
def test_it_records_every_valid_transition(contact, instance, current, target):
    session = factories.make_session(contact=contact, instance=instance, status=current)
    result = session_change_status(session=session, status=target, actor="api:test", reason="why")
    assert result.status == target
    session.refresh_from_db()
    assert session.status == target
    event = SessionEvent.objects.get(session=session)
    assert (event.code, event.actor, event.data) == (
        "status_changed",
        "api:test",
        {"from": current, "to": target, "reason": "why"},
    )


def test_close_needs_an_end_reason(chat_session):
    with pytest.raises(ValidationError):
        session_close(session=chat_session, end_reason="  ", actor="api:test")
    with pytest.raises(ValidationError):
        session_change_status(session=chat_session, status="CLOSED", actor="api:test")
    chat_session.refresh_from_db()
    assert chat_session.status == S.QUEUED


def test_close_stores_the_end_reason_and_time(chat_session):
    session_close(session=chat_session, end_reason="Resolvido", actor="agent:ana")
    chat_session.refresh_from_db()
    assert (chat_session.status, chat_session.end_reason) == (S.CLOSED, "Resolvido")
    assert chat_session.closed_at is not None


def test_reopen_works_when_nothing_else_is_open(chat_session):
    session_close(session=chat_session, end_reason="done", actor="api:test")
    session_reopen(session=chat_session, actor="api:test")
    chat_session.refresh_from_db()
    assert (chat_session.status, chat_session.closed_at, chat_session.end_reason) == (
        S.ACTIVE,
        None,
        "",
    )


def test_reopen_is_refused_while_another_session_is_open(contact, instance):
    old = factories.make_session(contact=contact, instance=instance, status=S.CLOSED)
    newer = factories.make_session(contact=contact, instance=instance, status=S.ACTIVE)
    with pytest.raises(Conflict) as raised:
        session_reopen(session=old, actor="api:test")
    assert raised.value.code == "session_already_open"
    assert raised.value.details == {"sessionId": str(newer.id)}
    old.refresh_from_db()
    assert old.status == S.CLOSED


def test_pause_with_a_time_and_resume(chat_session):
    until = timezone.now() + timedelta(hours=2)
    session_pause(session=chat_session, actor="agent:ana", paused_until=until, reason="lunch")
    chat_session.refresh_from_db()
    assert (chat_session.status, chat_session.paused_until, chat_session.paused_by) == (
        S.PAUSED,
        until,
        "agent:ana",
    )
    session_resume(session=chat_session, actor="agent:ana")
    chat_session.refresh_from_db()
    assert (chat_session.status, chat_session.paused_until) == (S.ACTIVE, None)


def test_pause_until_a_past_time_is_a_validation_error(chat_session):
    with pytest.raises(ValidationError):
        session_pause(
            session=chat_session, actor="x", paused_until=timezone.now() - timedelta(minutes=1)
        )


def test_create_is_business_initiated_and_queued(contact, instance):
    session = session_create(contact=contact, instance=instance, actor="api:crm", external_id="X1")
    assert (session.status, session.started_by, session.external_id) == ("QUEUED", "BUSINESS", "X1")
    assert SessionEvent.objects.get(session=session).code == "created"


def test_create_conflicts_with_an_open_session(chat_session):
    with pytest.raises(Conflict) as raised:
        session_create(contact=chat_session.contact, instance=chat_session.instance, actor="api:x")
    assert raised.value.code == "session_already_open"
    assert raised.value.details == {"sessionId": str(chat_session.id)}
    assert ChatSession.objects.count() == 1


def test_create_after_a_closed_one_opens_a_new_session(contact, instance):
    factories.make_session(contact=contact, instance=instance, status=S.CLOSED)
    session = session_create(contact=contact, instance=instance, actor="api:x", started_by="AGENT")
    assert (session.status, session.started_by) == ("QUEUED", "AGENT")


@pytest.mark.django_db(transaction=True)
def test_a_session_lock_does_not_lock_its_contact_or_instance(chat_session):
    import threading

    from django.db import connection, transaction

    from contacts.models import Contact
    from providers.models import Instance
    from sessions_app.services.locking import session_locked

    held, release = threading.Event(), threading.Event()

    def hold_the_session():
        try:
            with transaction.atomic():
                session_locked(chat_session)
                held.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_the_session)
    thread.start()
    try:
        assert held.wait(timeout=10)
        with transaction.atomic():  # NOWAIT: an error if another transaction held them
            Instance.objects.select_for_update(nowait=True).get(pk=chat_session.instance_id)
            Contact.objects.select_for_update(nowait=True).get(pk=chat_session.contact_id)
    finally:
        release.set()
        thread.join(timeout=10)
