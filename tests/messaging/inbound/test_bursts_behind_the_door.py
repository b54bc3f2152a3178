"""A burst stays one turn while the web processes themselves are behind.

In a reply wave, webhooks wait in front of the web processes; stamped when
a web handles them, a customer's messages sent 0.3 s apart look 1.5 s
apart. The reverse proxy's arrival stamp (``ARRIVAL_HEADER``) gives back
the arrival for every gateway (``messaging.inbound.door``), and a due turn
waits for the door to pass its end.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from messaging.inbound.door import (
    DOOR_KEY,
    door_note,
    door_passed,
    door_position,
    door_reset,
    request_arrival,
    request_start_seconds,
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
STAMPED = "HTTP_X_REQUEST_START"


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


@pytest.mark.parametrize(
    "value",
    [
        "t=1772452800.250",  # nginx's $msec
        "t=1772452800250",  # milliseconds
        "t=1772452800250000",  # microseconds
        "1772452800.250",  # without the t=
        " t=1772452800250 ",
    ],
)
def test_the_request_start_formats_in_use(value):
    assert request_start_seconds(value) == pytest.approx(at(0.25).timestamp())


@pytest.mark.parametrize(
    "value", ["", "t=", "t=abc", "t=17724528", "t=-1772452800", "t=1772452800.2.5", "t=1.5"]
)
def test_anything_else_is_no_stamp(value):
    assert request_start_seconds(value) is None


def test_the_header_is_trusted_only_when_configured(settings):
    meta = {STAMPED: f"t={at(1).timestamp():.3f}"}
    settings.ARRIVAL_HEADER = ""
    assert request_arrival(meta, now=at(3)) == at(3)
    settings.ARRIVAL_HEADER = "X-Request-Start"
    assert request_arrival(meta, now=at(3)) == at(1)
    # Another header configured: this one is a client's, ignored.
    settings.ARRIVAL_HEADER = "X-Queue-Start"
    assert request_arrival(meta, now=at(3)) == at(3)
    # Configured but absent or unreadable: now.
    settings.ARRIVAL_HEADER = "X-Request-Start"
    assert request_arrival({}, now=at(3)) == at(3)
    assert request_arrival({STAMPED: "yesterday"}, now=at(3)) == at(3)


def test_a_stamp_is_clamped_to_the_max_lag_and_never_the_future(settings):
    settings.ARRIVAL_HEADER = "X-Request-Start"
    settings.ARRIVAL_MAX_LAG_SECONDS = 10
    stamp = lambda moment: {STAMPED: f"t={int(moment.timestamp() * 1000)}"}  # noqa: E731
    assert request_arrival(stamp(at(-60)), now=at(0)) == at(-10)
    assert request_arrival(stamp(at(5)), now=at(0)) == at(0)  # a proxy's clock ahead
    assert request_arrival(stamp(at(-2)), now=at(0)) == at(-2)


def test_a_late_webhook_publishes_the_doors_position_until_the_webs_catch_up():
    now = timezone.now()
    door_note("i4", now - timedelta(seconds=0.2), now=now)
    assert door_position("i4") is None  # on time: nothing published
    arrival = now - timedelta(seconds=2)
    door_note("i4", arrival, now=now)
    assert door_position("i4") == arrival
    assert not door_passed("i4", arrival + timedelta(seconds=0.5))
    assert door_passed("i4", arrival)
    time.sleep(2.2)  # nothing late since: the webs have caught up
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


def _text(n: int, text: str) -> dict:
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = f"DOOR{n}"
    body["data"]["message"]["conversation"] = text
    body.pop("date_time", None)  # no gateway stamp: the proxy's is the one read
    return body


@pytest.mark.django_db(transaction=True)
def test_a_due_turn_waits_for_the_door_and_its_drains_close_it_after(organization):
    instance = _evolution(organization, concat_timeout=1)
    assert post_webhook(instance, _text(0, "Oi")).json() == QUEUED
    inbox_drain_instance(instance.pk)
    turn = Turn.objects.get()
    key = DOOR_KEY.format(instance_id=instance.pk)
    # The webs are behind: they have stored what arrived up to the turn's first message.
    flags_client().set(key, f"{turn.first_message_at.timestamp():.6f}", ex=30)
    time.sleep(2.2)  # the window (1 s) is over
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

    The proxy stamped each when it came in; the test's web handles them
    late, as one already behind does: the first too, 1.5 s after it came.
    (The webs can only say they are behind once they have taken a late
    request: a web that stalls exactly at a window's end with nothing taken
    since is not seen.)"""
    settings.ARRIVAL_HEADER = "X-Request-Start"
    instance = _evolution(organization, concat_timeout=1)
    texts = ["Oi", "meu pedido 4521", "não chegou", "já faz uma semana", "podem ver?"]
    sent = timezone.now().timestamp() - 1.5
    for n, text in enumerate(texts):
        if n:
            time.sleep(1.5)
        stamp = {"X-Request-Start": f"t={sent + 0.3 * n:.3f}"}
        assert post_webhook(instance, _text(n, text), headers=stamp).json() == QUEUED

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
