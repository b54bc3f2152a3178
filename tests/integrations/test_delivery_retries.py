"""Signed deliveries: retries with backoff, every attempt recorded, redelivery."""

import pytest

from integrations.deliveries import delivery_redeliver
from integrations.models import Delivery, DeliveryAttempt
from integrations.sending import delivery_attempt
from integrations.services import integration_create
from tests.support.http_server import sequence
from tests.support.pipeline import customer_says, wait_for
from tests.support.receiver import RECEIVER_PATH, RECEIVER_SECRET, signature_is_valid


@pytest.mark.worker
def test_a_receiver_failing_twice_gets_one_delivery_in_three_attempts(
    celery_worker, chat_session, integration, receiver
):
    receiver.route(
        "POST",
        RECEIVER_PATH,
        receiver.signed(sequence((500, {"e": 1}), (503, {"e": 2}), (200, {"ok": True}))),
    )
    chat_session.concat_timeout = 1
    chat_session.save()
    customer_says(chat_session, "oi")

    assert wait_for(lambda: Delivery.objects.filter(status="SUCCEEDED").exists(), timeout=30), (
        Delivery.objects.values("status", "attempts_count", "last_error").first()
    )
    delivery = Delivery.objects.get()
    attempts = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert [a.error for a in attempts] == ["HTTP 500", "HTTP 503", ""]
    requests = receiver.requests_to(RECEIVER_PATH)
    assert len(requests) == 3
    assert {r.headers["x-atende-delivery"] for r in requests} == {str(delivery.id)}
    assert {r.headers["x-atende-event"] for r in requests} == {"turn.ready"}
    assert all(signature_is_valid(r) for r in requests)
    assert len({r.body for r in requests}) == 1


def test_after_the_last_attempt_it_fails_and_can_be_redelivered(
    chat_session, organization, receiver, settings
):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [0]
    receiver.route("POST", "/down", receiver.signed((502, {})))
    hook = integration_create(
        organization=organization,
        name="crm",
        url=receiver.url + "/down",
        events=["turn.ready"],
        secret=RECEIVER_SECRET,
    )
    from integrations.deliveries import event_publish

    [delivery] = event_publish(
        organization=organization, event="turn.ready", payload={"x": 1}, dedupe_key="t-1"
    )
    assert delivery_attempt(delivery_id=delivery.id) == "retry"
    assert delivery_attempt(delivery_id=delivery.id) == "failed"
    assert delivery_attempt(delivery_id=delivery.id) == "gone"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts_count, delivery.last_status_code) == (
        "FAILED",
        2,
        502,
    )

    hook.url = receiver.url + RECEIVER_PATH
    hook.save()
    delivery_redeliver(delivery=delivery)
    assert delivery_attempt(delivery_id=delivery.id) == "succeeded"
    delivery.refresh_from_db()
    assert delivery.status == "SUCCEEDED"
    assert list(delivery.attempts.values_list("number", "status_code")) == [
        (1, 502),
        (2, 502),
        (3, 200),
    ]


def test_the_same_event_is_published_once_per_integration(organization, integration):
    from integrations.deliveries import event_publish

    first = event_publish(organization=organization, event="turn.ready", payload={}, dedupe_key="k")
    again = event_publish(organization=organization, event="turn.ready", payload={}, dedupe_key="k")
    assert (len(first), len(again), Delivery.objects.count()) == (1, 0, 1)


def test_a_claimed_attempt_is_not_sent_twice(organization, integration, receiver):
    from integrations.deliveries import event_publish

    [delivery] = event_publish(
        organization=organization, event="turn.ready", payload={}, dedupe_key="k"
    )
    Delivery.objects.filter(pk=delivery.pk).update(attempts_count=0)
    # A second worker that read the row before the first claimed it:
    stale = Delivery.objects.get(pk=delivery.pk)
    assert delivery_attempt(delivery_id=delivery.id) == "succeeded"
    Delivery.objects.filter(pk=delivery.pk).update(status="PENDING")  # pretend still pending
    assert delivery_attempt(delivery_id=stale.id) == "not_due"
    assert len(receiver.requests_to(RECEIVER_PATH)) == 1


def test_an_unsubscribed_or_inactive_integration_gets_nothing(organization, receiver):
    from integrations.deliveries import event_publish

    integration_create(
        organization=organization, name="a", url=receiver.url, events=["message.status"]
    )
    integration_create(
        organization=organization,
        name="b",
        url=receiver.url,
        events=["turn.ready"],
        is_active=False,
    )
    assert (
        event_publish(organization=organization, event="turn.ready", payload={}, dedupe_key="k")
        == []
    )


def test_redelivery_is_refused_while_an_attempt_is_in_flight(organization):
    from datetime import timedelta

    from django.utils import timezone

    from core.errors import Conflict
    from integrations.models import Delivery

    hook = integration_create(
        organization=organization, name="crm", url="http://127.0.0.1:9/x", events=["turn.ready"]
    )
    in_flight = Delivery.objects.create(
        organization=organization,
        integration=hook,
        event="turn.ready",
        dedupe_key="t-9",
        payload={},
        attempts_count=1,
        next_attempt_at=timezone.now() + timedelta(seconds=30),  # a worker's lease
    )
    with pytest.raises(Conflict) as refused:
        delivery_redeliver(delivery=in_flight)
    assert refused.value.code == "delivery_in_progress"
    assert refused.value.details["nextAttemptAt"].endswith("Z")  # as the API writes times
    in_flight.refresh_from_db()
    assert in_flight.attempts_count == 1


def test_a_delivery_whose_task_died_with_its_worker_is_offered_again_ten_seconds_late(
    organization, integration, receiver, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.deliveries import deliveries_requeue_lost, event_publish
    from integrations.tasks import delivery_send

    queued = []
    monkeypatch.setattr(delivery_send, "apply_async", lambda args, **kw: queued.append(args))
    [delivery] = event_publish(
        organization=organization, event="turn.ready", payload={}, dedupe_key="k"
    )
    assert deliveries_requeue_lost() == 0  # its task may still be on its way

    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=11)
    )
    assert deliveries_requeue_lost() == 1
    # The original task turning up after all finds the delivery done.
    assert delivery_attempt(delivery_id=delivery.id) == "succeeded"
    assert delivery_attempt(delivery_id=delivery.id) == "gone"
    assert len(receiver.requests_to(RECEIVER_PATH)) == 1
