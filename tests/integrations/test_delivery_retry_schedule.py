"""A delivery's retries wait the operator's schedule, computed by the one
backoff helper; a receiver's Retry-After takes a wait's place."""

from django.utils import timezone

from core.backoff import backoff_seconds
from integrations.deliveries import event_publish
from integrations.models import Delivery
from integrations.sending import delivery_attempt, retry_delay_seconds
from integrations.services import integration_create
from tests.support.receiver import RECEIVER_SECRET

DEFAULT_SCHEDULE = [30, 60, 120, 300, 600, 900, 1500]  # config/settings_pipeline.py


def _failing_delivery(receiver, organization, reply):
    receiver.route("POST", "/down", receiver.signed(reply))
    integration_create(
        organization=organization,
        name="AI platform",
        url=receiver.url + "/down",
        events=["turn.ready"],
        secret=RECEIVER_SECRET,
    )
    [delivery] = event_publish(
        organization=organization, event="turn.ready", payload={"x": 1}, dedupe_key="t-1"
    )
    return delivery


def _attempt_now(delivery) -> tuple[str, float | None]:
    """Make the delivery due, attempt it: the outcome and the wait it set."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    outcome = delivery_attempt(delivery_id=delivery.id)
    next_at = Delivery.objects.get(pk=delivery.pk).next_attempt_at
    return outcome, None if next_at is None else (next_at - before).total_seconds()


def test_the_default_schedule_is_the_helpers_schedule_and_unchanged(settings):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = DEFAULT_SCHEDULE

    waits = [retry_delay_seconds(attempt) for attempt in range(1, 8)]

    assert waits == [30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1500.0]
    assert waits == [backoff_seconds(n, schedule=DEFAULT_SCHEDULE) for n in range(1, 8)]


def test_each_retry_waits_its_turn_in_the_schedule_then_the_delivery_fails(
    organization, receiver, settings
):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30, 60, 120]
    delivery = _failing_delivery(receiver, organization, (503, {}))

    outcomes = [_attempt_now(delivery) for _ in range(4)]

    assert [outcome for outcome, _ in outcomes] == ["retry", "retry", "retry", "failed"]
    waits = [wait for _, wait in outcomes[:3]]
    assert [round(wait) for wait in waits] == [30, 60, 120]
    assert outcomes[3][1] is None
    assert len(receiver.requests_to("/down")) == 4


def test_a_retry_after_shorter_than_the_schedule_is_honoured_too(organization, receiver, settings):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30, 60, 120]
    delivery = _failing_delivery(receiver, organization, (429, {}, {"Retry-After": "5"}))

    outcome, wait = _attempt_now(delivery)

    assert outcome == "retry"
    assert 4 <= wait <= 7
