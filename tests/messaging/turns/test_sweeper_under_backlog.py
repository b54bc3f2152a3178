"""The lost-turn sweeper under a backlog: one run at a time, queued closes left to their task."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.locks import advisory_lock_try
from messaging.models import Turn
from messaging.turns.sweeper import _SWEEP_LOCK_CLASS, turns_sweep_lost_windows
from tests.support.pipeline import customer_says


def overdue(turn_id, seconds: float) -> None:
    """The turn's window ended ``seconds`` ago."""
    past = timezone.now() - timedelta(seconds=seconds + 8)
    Turn.objects.filter(pk=turn_id).update(
        first_message_at=past, last_message_at=past, due_at=past + timedelta(seconds=8)
    )


def test_a_turn_whose_close_a_drain_queued_is_swept_only_when_that_task_looks_lost(chat_session):
    customer_says(chat_session, "oi")
    turn = Turn.objects.get()
    overdue(turn.pk, 5)
    Turn.objects.filter(pk=turn.pk).update(close_queued_for=Turn.objects.get().due_at)

    assert turns_sweep_lost_windows() == 0  # its task is in the queue
    overdue(turn.pk, 11)
    Turn.objects.filter(pk=turn.pk).update(close_queued_for=Turn.objects.get().due_at)
    assert turns_sweep_lost_windows() == 1
    assert Turn.objects.get().close_reason == "swept"


@pytest.mark.django_db(transaction=True)
def test_a_sweep_while_another_runs_does_nothing(chat_session):
    customer_says(chat_session, "oi")
    overdue(Turn.objects.get().pk, 5)
    holding, release = threading.Event(), threading.Event()

    def another_sweep():
        try:
            with advisory_lock_try(_SWEEP_LOCK_CLASS, "turns") as held:
                assert held
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=another_sweep)
    thread.start()
    holding.wait(timeout=10)
    try:
        assert turns_sweep_lost_windows() == 0
        assert Turn.objects.get().status == "OPEN"
    finally:
        release.set()
        thread.join(timeout=10)
    assert turns_sweep_lost_windows() == 1
