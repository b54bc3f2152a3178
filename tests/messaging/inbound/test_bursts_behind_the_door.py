"""A burst stays one turn while the web processes themselves are behind.

In a spike, webhooks wait in front of the web processes; stamped when a
web handles them, a customer's messages sent 0.3 s apart look 1.5 s apart.
The gateway's own send stamps (Evolution's ``date_time``) give back the
arrival (``messaging.inbound.door``), and a due turn waits for the door to
pass its end.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from messaging.inbound.door import (
    DOOR_KEY,
    door_arrival,
    door_passed,
    door_position,
    door_reset,
    door_visit,
)
from messaging.inbound.drain import inbox_drain_instance
from messaging.inbound.flags import flags_client
from messaging.models import Message, Turn, WebhookInbox
from messaging.turns.close import turn_close_when_due, turns_close_caught_up
from providers.models import Provider
from tests.support import factories
from tests.support.pipeline import wait_for
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, post_webhook

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_door():
    door_reset()
    yield
    door_reset()
    for pattern in ("atende:inbox:door:*", "atende:turns:after-door:*"):
        for key in flags_client().scan_iter(pattern):
            flags_client().delete(key)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_webhook_that_waited_arrives_when_it_was_sent_on_our_clock(settings):
    settings.DOOR_MAX_LAG_SECONDS = 2
    # The gateway's clock is 3 h behind ours (Evolution's local time with a Z)
    # and the network takes 20 ms: the first webhook, handled at once, teaches the offset.
    skew = timedelta(hours=3, milliseconds=20)
    assert door_arrival("i1", at(0) - skew, busy_for=0.0, now=at(0)) == at(0)
    # Sent 0.3 s later, handled 1.5 s later: it waited 1.2 s in front of a busy web.
    assert door_arrival("i1", at(0.3) - skew, busy_for=1.5, now=at(1.5)) == at(0.3)
    # Never earlier than the process has been busy ...
    assert door_arrival("i1", at(0.6) - skew, busy_for=0.5, now=at(3.0)) == at(2.5)
    # ... nor than DOOR_MAX_LAG_SECONDS.
    assert door_arrival("i1", at(1.0) - skew, busy_for=500, now=at(5)) == at(3)


def test_without_a_stamp_or_while_idle_the_arrival_is_now():
    assert door_arrival("i2", None, busy_for=30, now=at(5)) == at(5)
    door_arrival("i2", at(0), busy_for=0.0, now=at(0))
    # A gateway's retry of a 30 s old webhook reaching an idle web: now.
    assert door_arrival("i2", at(0), busy_for=0.0, now=at(30)) == at(30)


def test_the_offset_is_the_smallest_of_the_recent_window_only(settings):
    settings.DOOR_OFFSET_WINDOW_SECONDS = 10
    door_arrival("i3", at(0), busy_for=0.0, now=at(0))  # offset 0
    # The gateway's clock steps back 4 s: within the window it reads as a wait ...
    assert door_arrival("i3", at(3), busy_for=60, now=at(7)) == at(3)
    # ... and once the window holds only the new samples, as the new offset.
    door_arrival("i3", at(16), busy_for=0.0, now=at(20))
    assert door_arrival("i3", at(18), busy_for=60, now=at(22)) == at(22)


def test_an_arrival_is_never_before_the_previous_webhooks():
    door_arrival("i5", at(0), busy_for=0.0, now=at(0))
    first = door_arrival("i5", at(1.0), busy_for=5, now=at(3.0))
    # Stamped in the same millisecond (a message and its edit), handled next:
    # not a microsecond earlier, so the drain keeps them in the order stored.
    assert door_arrival("i5", at(1.0), busy_for=5, now=at(3.1)) == first == at(1.0)
    # A retry of a webhook sent long before, reaching a busy web: behind the
    # flow it joins, not back where it was first sent.
    assert door_arrival("i5", at(-20), busy_for=30, now=at(3.2)) == first


def test_back_to_back_webhooks_count_as_busy_a_gap_as_idle(settings):
    settings.DOOR_IDLE_GAP_SECONDS = 0.05
    with door_visit() as first:
        pass
    with door_visit() as second:
        time.sleep(0.02)
    with door_visit() as third:
        pass
    time.sleep(0.1)
    with door_visit() as after_a_pause:
        pass
    assert first == 0.0
    assert 0.0 <= second < third
    assert third >= 0.02
    assert after_a_pause == 0.0


def test_a_late_webhook_publishes_the_doors_position_until_the_webs_catch_up(settings):
    settings.DOOR_POSITION_TTL_SECONDS = 1
    now = timezone.now()
    door_arrival("i4", now - timedelta(seconds=15), busy_for=0.0, now=now - timedelta(seconds=5))
    assert door_position("i4") is None  # on time: nothing published
    arrival = door_arrival("i4", now - timedelta(seconds=12), busy_for=5.0, now=now)
    assert arrival == now - timedelta(seconds=2)
    assert door_position("i4") == arrival
    assert not door_passed("i4", arrival + timedelta(seconds=0.5))
    assert door_passed("i4", arrival)
    time.sleep(1.2)  # nothing late since: the webs have caught up
    assert door_position("i4") is None
    assert door_passed("i4", now + timedelta(seconds=5))


def _evolution(organization, **extra):
    return factories.make_instance(
        organization,
        provider=Provider.EVOLUTION,
        name="Evolution",
        base_url="http://127.0.0.1:9",
        external_id="atende-main",
        credentials={"apiKey": "evo-instance-token"},
        **extra,
    )


def _text(n: int, text: str, sent: datetime) -> dict:
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = f"DOOR{n}"
    body["data"]["message"]["conversation"] = text
    body["date_time"] = sent.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return body


@pytest.mark.django_db(transaction=True)
def test_a_due_turn_waits_for_the_door_and_its_drains_close_it_after(organization):
    instance = _evolution(organization, concat_timeout=1)
    assert post_webhook(instance, _text(0, "Oi", timezone.now())).json() == QUEUED
    inbox_drain_instance(instance.pk)
    turn = Turn.objects.get()
    key = DOOR_KEY.format(instance_id=instance.pk)
    # The webs are behind: they have stored what arrived up to the turn's first message.
    flags_client().set(key, f"{turn.first_message_at.timestamp():.6f}", ex=30)
    time.sleep(2.2)  # window (1 s) + grace (1 s) over
    assert turn_close_when_due(turn.pk) == ("waiting_door", None)
    assert turns_close_caught_up(instance.pk, turn.inbox_partition) == 0
    # The door passes the turn's end (a later webhook stored): its close is queued.
    flags_client().set(key, f"{timezone.now().timestamp():.6f}", ex=30)
    assert turns_close_caught_up(instance.pk, turn.inbox_partition) == 1
    turn.refresh_from_db()
    assert turn.close_queued_for == turn.due_at
    # The drains saw the webs behind: one more look is queued for after the door.
    after = f"atende:turns:after-door:{instance.pk}:{turn.inbox_partition}"
    assert flags_client().exists(after)
    flags_client().delete(after)
    assert turn_close_when_due(turn.pk) == ("closed", None)


@pytest.mark.worker
def test_five_messages_sent_a_moment_apart_reaching_a_busy_web_late_are_one_turn(
    celery_worker, organization, integration, receiver, settings
):
    """Sent 0.3 s apart, handled 1.5 s apart (a 1 s window): one turn of five.

    The test's web is one process; its pauses between these webhooks stand
    for the back-to-back work of a busy one (``DOOR_IDLE_GAP_SECONDS``)."""
    settings.DOOR_IDLE_GAP_SECONDS = 5
    instance = _evolution(organization, concat_timeout=1)
    texts = ["Oi", "meu pedido 4521", "não chegou", "já faz uma semana", "podem ver?"]
    sent = timezone.now()
    for n, text in enumerate(texts):
        if n:
            time.sleep(1.5)
        body = _text(n, text, sent + timedelta(seconds=0.3 * n))
        assert post_webhook(instance, body).json() == QUEUED

    turns = wait_for(receiver.turns, timeout=60)
    time.sleep(3)  # a second turn, if any, would come within this

    assert len(receiver.turns()) == 1
    assert [m["text"] for m in turns[0]["turn"]["messages"]] == texts
    turn = Turn.objects.get()
    assert (turn.status, turn.messages_count) == ("CLOSED", 5)
    arrivals = list(Message.objects.order_by("concat_seq").values_list("received_at", flat=True))
    gaps = [(b - a).total_seconds() for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert all(0.25 < gap < 0.4 for gap in gaps), gaps
    stored = list(WebhookInbox.objects.order_by("id").values_list("received_at", flat=True))
    assert stored == arrivals
