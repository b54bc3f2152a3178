"""The debounce on a real Celery worker, delivered to a real signing receiver."""

import time
from collections import Counter

import pytest

from messaging.models import Message, Turn
from tests.support import factories
from tests.support.pipeline import customer_says, wait_for

pytestmark = pytest.mark.worker


def test_three_messages_a_second_apart_are_one_turn_after_the_window(
    celery_worker, chat_session, integration, receiver
):
    chat_session.concat_timeout = 3
    chat_session.save()
    for text in ("Oi", "tudo bem?", "preciso de ajuda"):
        customer_says(chat_session, text)
        time.sleep(1)
    last_sent = Message.objects.order_by("-created_at").first().created_at.timestamp()

    turns = wait_for(receiver.turns)
    assert len(turns) == 1
    assert turns[0]["turn"]["text"] == "Oi\ntudo bem?\npreciso de ajuda"
    assert turns[0]["turn"]["messagesCount"] == 3
    assert turns[0]["session"]["id"] == str(chat_session.id)
    # It waited for the whole window after the last message (never early).
    received = receiver.requests_to("/hooks/atende")[0].received_at
    assert received - last_sent >= 2.9
    time.sleep(1.5)
    assert len(receiver.turns()) == 1
    assert Turn.objects.get(session=chat_session).dispatch_status == "DISPATCHED"


def test_two_bursts_further_apart_than_the_window_are_two_turns(
    celery_worker, chat_session, integration, receiver
):
    chat_session.concat_timeout = 1
    chat_session.save()
    customer_says(chat_session, "primeira")
    customer_says(chat_session, "rajada")
    assert wait_for(lambda: len(receiver.turns()) == 1)
    customer_says(chat_session, "segunda")
    assert wait_for(lambda: len(receiver.turns()) == 2)
    assert [t["turn"]["text"] for t in receiver.turns()] == ["primeira\nrajada", "segunda"]


def test_max_wait_closes_a_burst_that_never_pauses(
    celery_worker, chat_session, integration, receiver, settings
):
    settings.CONCAT_MAX_WAIT_SECONDS = 3
    chat_session.concat_timeout = 2
    chat_session.save()
    sent = []
    for i in range(7):
        sent.append(customer_says(chat_session, f"m{i}").id)
        time.sleep(0.6)
    # The first turn went out while the customer was still typing.
    first = wait_for(receiver.turns)
    assert first, "no turn was delivered"
    wait_for(lambda: not Turn.objects.filter(session=chat_session, status="OPEN").exists())
    wait_for(lambda: len(receiver.turns()) == Turn.objects.filter(session=chat_session).count())
    turns = receiver.turns()
    assert len(turns) >= 2
    assert turns[0]["turn"]["closeReason"] == "max_wait"
    delivered = [m["id"] for t in turns for m in t["turn"]["messages"]]
    assert delivered == [str(i) for i in sent]


def test_fifty_sessions_bursting_at_once_are_fifty_turns(
    celery_worker, organization, instance, integration, receiver
):
    sessions = [
        factories.make_session(
            contact=factories.make_contact(organization), instance=instance, concat_timeout=3
        )
        for _ in range(50)
    ]
    expected = {}
    # Each session's three messages back to back; the 50 windows overlap and
    # close within moments of each other on the worker.
    for session in sessions:
        expected[str(session.id)] = [
            str(customer_says(session, f"{session.id}:{i}").id) for i in range(3)
        ]

    assert wait_for(lambda: len(receiver.turns()) >= 50, timeout=180)
    time.sleep(2)
    turns = receiver.turns()
    assert len({t["turn"]["id"] for t in turns}) == len(turns), "a turn was delivered twice"
    assert len(turns) == 50
    per_session = Counter(t["session"]["id"] for t in turns)
    assert set(per_session.values()) == {1}
    delivered = {t["session"]["id"]: [m["id"] for m in t["turn"]["messages"]] for t in turns}
    assert delivered == expected
    all_ids = [i for ids in delivered.values() for i in ids]
    assert len(all_ids) == len(set(all_ids)) == 150
    assert Message.objects.filter(turn__isnull=True).count() == 0
