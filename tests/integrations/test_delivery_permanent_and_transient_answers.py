"""A receiver's answer decides: permanent refusals fail at once, the rest retry."""

from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from integrations.deliveries import event_publish
from integrations.models import Delivery
from integrations.sending import delivery_attempt
from integrations.services import integration_create
from tests.support.receiver import RECEIVER_SECRET


def _delivery_to(receiver, organization, path, reply):
    receiver.route("POST", path, receiver.signed(reply))
    integration_create(
        organization=organization,
        name="AI platform",
        url=receiver.url + path,
        events=["turn.ready"],
        secret=RECEIVER_SECRET,
    )
    [delivery] = event_publish(
        organization=organization, event="turn.ready", payload={"x": 1}, dedupe_key="t-1"
    )
    return delivery


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_permanent_answer_fails_the_delivery_at_once_with_the_reason(
    organization, receiver, settings, status
):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30, 60, 120]
    delivery = _delivery_to(
        receiver, organization, "/refuses", (status, {"error": "unknown tenant"})
    )

    assert delivery_attempt(delivery_id=delivery.id) == "failed"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts_count, delivery.last_status_code) == (
        "FAILED",
        1,
        status,
    )
    assert delivery.next_attempt_at is None
    assert delivery.last_error.startswith(f"HTTP {status}: permanent answer, not retried")
    assert "unknown tenant" in delivery.last_error
    assert len(receiver.requests_to("/refuses")) == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_transient_answer_is_retried_after_the_backoff(organization, receiver, settings, status):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30, 60, 120]
    delivery = _delivery_to(receiver, organization, "/busy", (status, {}))
    before = timezone.now()

    assert delivery_attempt(delivery_id=delivery.id) == "retry"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "PENDING",
        status,
        f"HTTP {status}",
    )
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 29 <= wait <= 32


def test_retry_after_in_seconds_is_honoured(organization, receiver, settings):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30, 60, 120]
    delivery = _delivery_to(receiver, organization, "/slow-down", (429, {}, {"Retry-After": "240"}))
    before = timezone.now()

    assert delivery_attempt(delivery_id=delivery.id) == "retry"

    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 239 <= wait <= 242


def test_retry_after_as_an_http_date_is_honoured(organization, receiver, settings):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30, 60, 120]
    later = timezone.now() + timedelta(seconds=600)
    delivery = _delivery_to(
        receiver,
        organization,
        "/maintenance",
        (503, {}, {"Retry-After": format_datetime(later, usegmt=True)}),
    )
    before = timezone.now()

    assert delivery_attempt(delivery_id=delivery.id) == "retry"

    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 595 <= wait <= 602


def test_a_retry_after_beyond_an_hour_is_capped(organization, receiver, settings):
    settings.INTEGRATION_RETRY_BACKOFF_SECONDS = [30]
    delivery = _delivery_to(receiver, organization, "/away", (503, {}, {"Retry-After": "86400"}))
    before = timezone.now()

    assert delivery_attempt(delivery_id=delivery.id) == "retry"

    wait = (Delivery.objects.get(pk=delivery.pk).next_attempt_at - before).total_seconds()
    assert 3595 <= wait <= 3602
