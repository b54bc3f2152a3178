"""A drain queues the close of its partition's caught-up turns on SQLite
(read, then mark): each turn once per due time; a batch of due turns closes
without row locks (each claimed on its sequence), and its deliveries are
claimed one conditional UPDATE each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Delivery
from integrations.sending import deliveries_attempt
from messaging.models import Message, Turn, TurnStatus
from messaging.turns.close import turns_close_batch, turns_close_caught_up
from sessions_app.models import ChatSession
from tests.sqlite.helpers import store, text_body
from tests.support import factories
from tests.support.receiver import RECEIVER_PATH

pytestmark = pytest.mark.django_db


def open_turn(session, *, due_at, partition=0) -> Turn:
    return Turn.objects.create(
        organization=session.organization,
        session=session,
        status=TurnStatus.OPEN,
        first_message_at=due_at - timedelta(seconds=8),
        last_message_at=due_at - timedelta(seconds=8),
        due_at=due_at,
        inbox_partition=partition,
    )


@pytest.fixture
def sessions(organization, evolution):
    return [
        factories.make_session(contact=factories.make_contact(organization), instance=evolution)
        for _ in range(4)
    ]


def test_due_turns_of_the_partition_are_queued_once_per_due_time(evolution, sessions, queued):
    now = timezone.now()
    due = open_turn(sessions[0], due_at=now - timedelta(seconds=10))
    open_turn(sessions[1], due_at=now + timedelta(seconds=30))  # not due yet
    open_turn(sessions[2], due_at=now - timedelta(seconds=10), partition=1)  # another drain's
    closed = open_turn(sessions[3], due_at=now - timedelta(seconds=10))
    Turn.objects.filter(pk=closed.pk).update(status=TurnStatus.CLOSED)

    assert turns_close_caught_up(evolution.pk, 0) == 1
    assert queued["close_batch"] == [(str(evolution.pk), 0, [str(due.pk)])]
    due.refresh_from_db()
    assert due.close_queued_for == due.due_at

    assert turns_close_caught_up(evolution.pk, 0) == 0  # queued already for this due time
    moved = now - timedelta(seconds=5)
    Turn.objects.filter(pk=due.pk).update(due_at=moved)
    assert turns_close_caught_up(evolution.pk, 0) == 1
    assert Turn.objects.get(pk=due.pk).close_queued_for == moved


def test_a_turn_waits_for_webhooks_that_arrived_before_its_end(evolution, sessions, queued):
    now = timezone.now()
    turn = open_turn(sessions[0], due_at=now - timedelta(seconds=10))
    before = store(evolution, text_body("W1"), received_at=now - timedelta(seconds=20))
    store(evolution, text_body("W2"), received_at=now - timedelta(seconds=5))  # after its end
    assert before.partition == turn.inbox_partition

    assert turns_close_caught_up(evolution.pk, 0) == 0
    assert queued["close_batch"] == []

    before.processed_at = now
    before.save(update_fields=["processed_at"])
    assert turns_close_caught_up(evolution.pk, 0) == 1
    assert queued["close_batch"] == [(str(evolution.pk), 0, [str(turn.pk)])]


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_due_turns_closes_each_once_and_delivers_each_once(
    evolution, sessions, integration, receiver
):
    now = timezone.now()
    turns = [open_turn(s, due_at=now - timedelta(seconds=10), partition=None) for s in sessions]
    for session, turn in zip(sessions, turns, strict=True):
        message = factories.make_message(session, text=f"oi {session.pk}")
        Message.objects.filter(pk=message.pk).update(turn=turn, concat_seq=1)
        Turn.objects.filter(pk=turn.pk).update(last_seq=1, messages_count=1)
        ChatSession.objects.filter(pk=session.pk).update(concat_seq=1)
    ids = [str(t.pk) for t in turns]

    assert turns_close_batch.run(str(evolution.pk), None, ids) == 4
    assert turns_close_batch.run(str(evolution.pk), None, ids) == 0

    assert set(Turn.objects.values_list("status", flat=True)) == {TurnStatus.CLOSED}
    assert Delivery.objects.filter(status="SUCCEEDED").count() == 4
    sent = [r.json["turn"]["id"] for r in receiver.requests_to(RECEIVER_PATH)]
    assert sorted(sent) == sorted(ids)
    delivery_ids = list(Delivery.objects.values_list("pk", flat=True))
    assert set(deliveries_attempt(delivery_ids).values()) == {"gone"}
