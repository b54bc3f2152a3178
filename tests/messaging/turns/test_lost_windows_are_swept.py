"""A debounce task lost mid-window (worker killed, Redis flushed): the sweeper delivers once."""

import time

import pytest
import redis

from messaging.models import Turn
from messaging.turns.sweeper import turns_sweep_lost_windows
from tests.support.pipeline import customer_says, wait_for

pytestmark = pytest.mark.worker


def test_the_sweeper_delivers_a_turn_whose_task_was_lost_exactly_once(
    celery_worker, _worker_process, chat_session, integration, receiver, settings
):
    settings.CONCAT_SWEEP_GRACE_SECONDS = 1
    chat_session.concat_timeout = 2
    chat_session.save()
    customer_says(chat_session, "meu pedido")
    customer_says(chat_session, "não chegou")
    time.sleep(0.5)  # the worker now holds the countdown task in memory

    _worker_process.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    try:
        time.sleep(2 + 1 + 0.5)  # window + sweep grace: the turn is now overdue
        assert Turn.objects.get(session=chat_session).status == "OPEN"
        assert turns_sweep_lost_windows() == 1
        assert turns_sweep_lost_windows() == 0
    finally:
        _worker_process.start()  # sends the delivery the sweeper queued

    turns = wait_for(receiver.turns)
    assert [t["turn"]["text"] for t in turns] == ["meu pedido\nnão chegou"]
    assert turns[0]["turn"]["closeReason"] == "swept"
    time.sleep(1.5)
    assert len(receiver.turns()) == 1
    assert Turn.objects.get(session=chat_session).dispatch_status == "DISPATCHED"
