"""A drain queues the close of its partition's caught-up turns on SQLite
(read, then mark): each turn once per due time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Turn, TurnStatus
from messaging.turns.close import turns_close_caught_up
from tests.sqlite.helpers import store, text_body
from tests.support import factories

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
    assert queued["turn_due"] == [(str(due.pk),)]
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
    assert queued["turn_due"] == []

    before.processed_at = now
    before.save(update_fields=["processed_at"])
    assert turns_close_caught_up(evolution.pk, 0) == 1
    assert queued["turn_due"] == [(str(turn.pk),)]
