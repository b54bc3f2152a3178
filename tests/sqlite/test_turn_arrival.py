"""Messages joining turns on SQLite: the sessions' sequence, last-message times
and WhatsApp window moved a session at a time; joined turns written with
bulk_update."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from messaging.models import Message, Turn
from messaging.turns.arrival import turns_assign
from sessions_app.models import WHATSAPP_WINDOW
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sessions(organization, instance):
    return [
        factories.make_session(
            contact=factories.make_contact(organization), instance=instance, status="ACTIVE"
        )
        for _ in range(2)
    ]


def arrive(*pairs) -> list[Message]:
    """Store each (session, arrival time) as a customer text, then assign them together."""
    messages = [
        factories.make_message(session, text=f"m{n}", received_at=at)
        for n, (session, at) in enumerate(pairs)
    ]
    with transaction.atomic():
        turns_assign(messages, inbox_partition=0)
    return messages


def test_messages_of_several_sessions_move_each_session_on(two_sessions):
    first, second = two_sessions
    t0 = timezone.now() - timedelta(seconds=2)

    arrive((first, t0), (second, t0), (first, t0 + timedelta(seconds=1)))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.concat_seq, second.concat_seq) == (2, 1)
    latest = t0 + timedelta(seconds=1)
    assert (first.last_message_at, first.last_customer_message_at) == (latest, latest)
    assert first.whatsapp_window_expires_at == latest + WHATSAPP_WINDOW
    assert second.whatsapp_window_expires_at == t0 + WHATSAPP_WINDOW
    turn = Turn.objects.get(session=first)
    assert (turn.status, turn.messages_count, turn.last_seq) == ("OPEN", 2, 2)
    assert (turn.first_message_at, turn.last_message_at) == (t0, latest)
    assert turn.due_at == latest + timedelta(seconds=first.concat_timeout)
    assert list(
        Message.objects.filter(session=first).order_by("concat_seq").values_list("text", "turn")
    ) == [("m0", turn.pk), ("m2", turn.pk)]
    assert Turn.objects.get(session=second).messages_count == 1


def test_a_message_within_the_window_joins_the_open_turn(two_sessions):
    session = two_sessions[0]
    t0 = timezone.now() - timedelta(seconds=3)
    arrive((session, t0))

    arrive((session, t0 + timedelta(seconds=2)))

    turn = Turn.objects.get(session=session)
    assert (turn.messages_count, turn.last_seq) == (2, 2)
    assert turn.last_message_at == t0 + timedelta(seconds=2)
    assert turn.due_at == t0 + timedelta(seconds=2 + session.concat_timeout)


def test_a_late_ingested_message_does_not_move_the_session_back(two_sessions):
    session = two_sessions[0]
    t0 = timezone.now() - timedelta(seconds=3)
    arrive((session, t0))

    arrive((session, t0 - timedelta(seconds=1)))

    session.refresh_from_db()
    assert (session.concat_seq, session.last_message_at) == (2, t0)
    assert session.whatsapp_window_expires_at == t0 + WHATSAPP_WINDOW


def test_a_message_after_the_window_closes_the_turn_and_opens_the_next(two_sessions):
    session = two_sessions[0]
    t0 = timezone.now() - timedelta(minutes=5)
    arrive((session, t0))

    arrive((session, t0 + timedelta(seconds=session.concat_timeout + 5)))

    closed, opened = Turn.objects.filter(session=session).order_by("first_message_at")
    assert (closed.status, closed.messages_count) == ("CLOSED", 1)
    assert (opened.status, opened.messages_count, opened.last_seq) == ("OPEN", 1, 2)
