"""Webhooks in flight: a turn waits for the ones being stored, and only them.

A web process registers each webhook before it takes its arrival time and
until its row is committed (``messaging.inbound.in_flight``); a due turn of
that partition whose end is after such an arrival looks again in a moment,
and the drains' closes stop short of it.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.inbound.drain import inbox_drain_instance
from messaging.inbound.flags import flags_client
from messaging.inbound.in_flight import (
    IN_FLIGHT_KEY,
    STALE_SECONDS,
    in_flight_enter,
    in_flight_leave,
    in_flight_oldest,
)
from messaging.models import Turn
from messaging.turns.close import IN_FLIGHT_POLL_SECONDS, turn_close_when_due, turns_close_caught_up
from tests.support.replay import load_fixture
from tests.support.webhooks import DUPLICATE, QUEUED, post_webhook

pytestmark = pytest.mark.usefixtures("inbox_inline")


@pytest.fixture(autouse=True)
def _nothing_in_flight():
    yield
    for key in flags_client().scan_iter("atende:inbox:in-flight:*"):
        flags_client().delete(key)


def test_the_oldest_arrival_in_flight_per_partition():
    now = timezone.now()
    first = in_flight_enter("i1", 2, now - timedelta(seconds=1))
    in_flight_enter("i1", 2, now)
    in_flight_enter("i1", 3, now - timedelta(seconds=5))
    assert in_flight_oldest("i1", 2) == now - timedelta(seconds=1)
    assert in_flight_oldest("i1", 1) is None
    in_flight_leave("i1", first)
    assert in_flight_oldest("i1", 2) == now


def test_an_entry_its_web_process_never_removed_goes_stale():
    token = in_flight_enter("i2", 0, timezone.now())
    # Registered STALE_SECONDS ago (its web process died before storing it).
    flags_client().zadd(
        IN_FLIGHT_KEY.format(instance_id="i2"), {token: time.time() - STALE_SECONDS - 1}
    )
    assert in_flight_oldest("i2", 0) is None


@pytest.mark.django_db
def test_a_webhook_leaves_nothing_in_flight_once_stored(evolution_instance):
    assert post_webhook(evolution_instance, load_fixture("evolution", "text")).json() == QUEUED
    assert not flags_client().exists(IN_FLIGHT_KEY.format(instance_id=evolution_instance.pk))


@pytest.mark.django_db
def test_a_duplicate_or_an_unstorable_webhook_leaves_nothing_in_flight(evolution_instance):
    body = load_fixture("evolution", "text")
    post_webhook(evolution_instance, body)
    assert post_webhook(evolution_instance, body).json() == DUPLICATE
    # A \u0000 escape: valid JSON that jsonb refuses.
    body["data"]["message"]["conversation"] = "nul \u0000"
    response = post_webhook(evolution_instance, body)
    assert (response.status_code, response.json()["error"]["message"]) == (
        400,
        "The body cannot be stored.",
    )
    assert not flags_client().exists(IN_FLIGHT_KEY.format(instance_id=evolution_instance.pk))


@pytest.mark.django_db
def test_a_due_turn_waits_for_a_webhook_in_flight_that_arrived_before_its_end(
    evolution_instance, integration
):
    evolution_instance.concat_timeout = 1
    evolution_instance.save()
    assert post_webhook(evolution_instance, load_fixture("evolution", "text")).json() == QUEUED
    turn = Turn.objects.get()
    Turn.objects.filter(pk=turn.pk).update(
        first_message_at=turn.first_message_at - timedelta(seconds=5),
        last_message_at=turn.last_message_at - timedelta(seconds=5),
        due_at=turn.due_at - timedelta(seconds=5),
    )
    turn.refresh_from_db()
    # Another message of the chat, arrived before the end, is being stored.
    token = in_flight_enter(
        evolution_instance.pk, turn.inbox_partition, turn.due_at - timedelta(seconds=0.2)
    )

    assert turn_close_when_due(turn.pk) == ("waiting", IN_FLIGHT_POLL_SECONDS)
    assert turns_close_caught_up(evolution_instance.pk, turn.inbox_partition) == 0
    # One that arrived after the end holds nothing back.
    in_flight_leave(evolution_instance.pk, token)
    in_flight_enter(evolution_instance.pk, turn.inbox_partition, turn.due_at + timedelta(seconds=1))
    assert inbox_drain_instance(evolution_instance.pk)["failed"] == 0
    assert turn_close_when_due(turn.pk) == ("closed", None)
