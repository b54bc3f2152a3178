"""A wave of due turns closes in batches and its deliveries go out together:
each turn closed and delivered once, signed; a session's turns in order."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from integrations.deliveries import deliveries_requeue_lost, event_publish
from integrations.models import Delivery, DeliveryAttempt
from integrations.sending import deliveries_attempt, delivery_attempt
from messaging.models import Turn, TurnStatus
from messaging.turns.close import turn_close_due, turn_due, turns_close_batch
from tests.support import factories
from tests.support.pipeline import customer_says, wait_for
from tests.support.receiver import RECEIVER_PATH, signature_is_valid


def _make_due(turns) -> None:
    """Move the turns' messages into the past: their windows have ended."""
    past = timezone.now() - timedelta(seconds=30)
    Turn.objects.filter(pk__in=[t.pk for t in turns]).update(
        first_message_at=past, last_message_at=past, due_at=past + timedelta(seconds=1)
    )


def _wave(organization, instance, count: int) -> list[Turn]:
    turns = []
    for n in range(count):
        contact = factories.make_contact(organization, phone=f"5511970{n:06d}")
        session = factories.make_session(contact=contact, instance=instance, concat_timeout=1)
        turns.append(customer_says(session, f"oi {n}").turn)
    _make_due(turns)
    return turns


def _delivered_turn_ids(receiver) -> list[str]:
    return [
        r.json["turn"]["id"]
        for r in receiver.requests_to(RECEIVER_PATH)
        if signature_is_valid(r) and r.json.get("event") == "turn.ready"
    ]


@pytest.mark.django_db(transaction=True)
def test_one_due_turn_closes_its_due_neighbours_and_each_is_delivered_once(
    organization, instance, integration, receiver
):
    turns = _wave(organization, instance, 30)

    assert turn_due.run(str(turns[0].pk), poll=False) == "closed"

    assert set(Turn.objects.values_list("status", flat=True)) == {TurnStatus.CLOSED}
    assert all(
        t.dispatch_status == "DISPATCHED" and t.text.startswith("oi ") and t.messages_count == 1
        for t in Turn.objects.all()
    )
    # Their own tasks find them closed and send nothing more.
    assert {turn_due.run(str(t.pk), poll=False) for t in turns[1:]} == {"done"}
    delivered = _delivered_turn_ids(receiver)
    assert sorted(delivered) == sorted(str(t.pk) for t in turns)
    assert len(receiver.requests_to(RECEIVER_PATH)) == 30  # every one signed, none twice
    assert Delivery.objects.filter(status="SUCCEEDED").count() == 30
    assert DeliveryAttempt.objects.count() == 30


@pytest.mark.django_db(transaction=True)
def test_a_drains_batch_closes_what_is_due_and_leaves_a_turn_waiting_for_media(
    organization, instance, integration, receiver
):
    turns = _wave(organization, instance, 5)
    contact = factories.make_contact(organization, phone="5511979999999")
    session = factories.make_session(contact=contact, instance=instance, concat_timeout=1)
    audio = customer_says(session, "", kind="audio", transcription_status="PROCESSING")
    _make_due([audio.turn])

    ids = [str(t.pk) for t in [*turns, audio.turn]]
    assert turns_close_batch.run(str(instance.pk), None, ids) == 5

    assert Turn.objects.get(pk=audio.turn.pk).status == TurnStatus.OPEN
    assert sorted(_delivered_turn_ids(receiver)) == sorted(str(t.pk) for t in turns)
    # Again: nothing closes twice.
    assert turns_close_batch.run(str(instance.pk), None, ids) == 0
    assert len(receiver.requests_to(RECEIVER_PATH)) == 5


@pytest.mark.django_db(transaction=True)
def test_a_sessions_next_turn_waits_until_its_earlier_turn_has_been_delivered(
    chat_session, integration, receiver
):
    answers = {"first": 500}

    def reply(request):
        if request.json["turn"]["text"] == "primeiro":
            return answers["first"], {}
        return 200, {"ok": True}

    receiver.route("POST", RECEIVER_PATH, receiver.signed(reply))
    chat_session.concat_timeout = 1
    chat_session.save()

    first = customer_says(chat_session, "primeiro").turn
    _make_due([first])
    assert turn_close_due(chat_session.pk, first.last_seq, send_inline=True) == "closed"
    first_delivery = Delivery.objects.get(turn=first)
    assert first_delivery.status == "PENDING"  # answered 500: a retry is scheduled

    second = customer_says(chat_session, "segundo").turn
    _make_due([second])
    assert turn_close_due(chat_session.pk, second.last_seq, send_inline=True) == "closed"
    second_delivery = Delivery.objects.get(turn=second)
    # Not sent: the first turn is still pending.
    assert [r.json["turn"]["text"] for r in receiver.requests_to(RECEIVER_PATH)] == ["primeiro"]
    assert delivery_attempt(delivery_id=second_delivery.pk) == "waiting"
    assert second_delivery.attempts.count() == 0
    # Not lost either: the sweeper of lost deliveries leaves it to the first.
    Delivery.objects.filter(pk=second_delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    Delivery.objects.filter(pk=first_delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    assert deliveries_requeue_lost() == 1

    # Both due in one batch: the first goes, the second still waits for it.
    answers["first"] = 200
    outcomes = deliveries_attempt([second_delivery.pk, first_delivery.pk])
    assert outcomes == {str(first_delivery.pk): "succeeded", str(second_delivery.pk): "waiting"}
    # The first has succeeded: the second goes (its task was queued; made here).
    assert delivery_attempt(delivery_id=second_delivery.pk) == "succeeded"
    texts = [r.json["turn"]["text"] for r in receiver.requests_to(RECEIVER_PATH)]
    assert texts == ["primeiro", "primeiro", "segundo"]
    assert all(signature_is_valid(r) for r in receiver.requests_to(RECEIVER_PATH))


@pytest.mark.django_db(transaction=True)
def test_two_workers_attempting_the_same_batch_send_each_delivery_once(
    organization, integration, receiver
):
    deliveries = [
        d
        for n in range(40)
        for d in event_publish(
            organization=organization,
            event="turn.ready",
            payload={"turn": {"id": f"t-{n}"}},
            dedupe_key=f"t-{n}",
        )
    ]
    ids = [d.pk for d in deliveries]
    results: list[dict] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            results.append(deliveries_attempt(ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2
    for delivery in deliveries:
        outcomes = sorted(r[str(delivery.pk)] for r in results)
        assert outcomes in (["gone", "succeeded"], ["not_due", "succeeded"])
    sent = [r.headers["x-atende-delivery"] for r in receiver.requests_to(RECEIVER_PATH)]
    assert sorted(sent) == sorted(str(i) for i in ids)
    assert all(signature_is_valid(r) for r in receiver.requests_to(RECEIVER_PATH))
    assert DeliveryAttempt.objects.count() == 40
    assert set(Delivery.objects.values_list("status", flat=True)) == {"SUCCEEDED"}


@pytest.mark.worker
def test_with_a_worker_a_sessions_second_turn_goes_after_the_retried_first(
    celery_worker, chat_session, integration, receiver
):
    refusals = {"left": 2}
    lock = threading.Lock()

    def reply(request):
        with lock:
            if request.json["turn"]["text"] == "primeiro" and refusals["left"]:
                refusals["left"] -= 1
                return 503, {}
        return 200, {"ok": True}

    receiver.route("POST", RECEIVER_PATH, receiver.signed(reply))
    chat_session.concat_timeout = 1
    chat_session.save()

    customer_says(chat_session, "primeiro")
    assert wait_for(lambda: Delivery.objects.filter(turn__text="primeiro").exists(), timeout=30)
    customer_says(chat_session, "segundo")  # its turn closes while the first is retried

    assert wait_for(lambda: Delivery.objects.filter(status="SUCCEEDED").count() == 2, timeout=60)
    texts = [r.json["turn"]["text"] for r in receiver.requests_to(RECEIVER_PATH)]
    assert texts == ["primeiro", "primeiro", "primeiro", "segundo"]
    assert DeliveryAttempt.objects.filter(delivery__turn__text="segundo").count() == 1
    assert all(signature_is_valid(r) for r in receiver.requests_to(RECEIVER_PATH))
