"""The webhook inbox on SQLite: stored once through the ORM, claimed by lease
(no advisory lock), drained in arrival order."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.inbound.drain import PROCESSED, SKIPPED, inbox_drain_instance, inbox_process_row
from messaging.inbound.inbox import inbox_store
from messaging.models import Message, WebhookInbox
from tests.sqlite.helpers import store, text_body
from tests.support.webhooks import DUPLICATE, QUEUED, post_webhook

pytestmark = pytest.mark.django_db


def texts_in_order() -> list[str]:
    return list(Message.objects.order_by("concat_seq").values_list("text", flat=True))


def test_a_webhook_is_stored_once_and_ingested_by_its_drain(evolution, queued):
    body = text_body("W1", "Olá")

    assert post_webhook(evolution, body).json() == QUEUED
    assert post_webhook(evolution, body).json() == DUPLICATE

    row = WebhookInbox.objects.get()
    assert queued["drain"] == [(str(evolution.pk), row.partition)]
    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 1
    row.refresh_from_db()
    assert row.processed_at is not None
    assert (row.claimed_at, row.attempts, row.result["stored"]) == (None, 1, 1)
    assert texts_in_order() == ["Olá"]


def test_the_same_bytes_are_stored_once(evolution):
    text = json.dumps(text_body("W1"))

    first = inbox_store(instance_id=evolution.pk, raw_body=text.encode(), body_text=text)

    assert first is not None
    assert inbox_store(instance_id=evolution.pk, raw_body=text.encode(), body_text=text) is None
    assert WebhookInbox.objects.get().body == json.loads(text)


def test_a_drain_ingests_its_rows_in_arrival_order(evolution):
    now = timezone.now()
    # Stored in one order, arrived in another: arrival decides.
    store(evolution, text_body("W3", "terceira"), received_at=now - timedelta(seconds=1))
    store(evolution, text_body("W1", "primeira"), received_at=now - timedelta(seconds=3))
    store(evolution, text_body("W2", "segunda"), received_at=now - timedelta(seconds=2))

    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 3

    assert texts_in_order() == ["primeira", "segunda", "terceira"]
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()


def test_a_live_claim_is_left_to_its_run_and_a_stale_one_is_taken_again(evolution, settings):
    now = timezone.now()
    lease = timedelta(seconds=settings.WEBHOOK_INBOX_CLAIM_SECONDS)
    live = store(evolution, text_body("W1", "live"), claimed_at=now, attempts=1)
    long_ago = now - lease - timedelta(seconds=1)
    stale = store(evolution, text_body("W2", "stale"), claimed_at=long_ago, attempts=1)

    counts = inbox_drain_instance(evolution.pk)

    assert counts[PROCESSED] == 1
    live.refresh_from_db()
    stale.refresh_from_db()
    assert (live.processed_at, live.attempts) == (None, 1)
    assert stale.processed_at is not None and stale.attempts == 2
    assert texts_in_order() == ["stale"]


def test_a_failed_row_waits_for_its_spaced_retry(evolution, settings):
    now = timezone.now()
    failed = store(evolution, text_body("W1", "de novo"), attempts=1, last_error="RuntimeError: x")

    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 0
    assert Message.objects.count() == 0

    retry_after = timedelta(seconds=settings.WEBHOOK_INBOX_RETRY_SECONDS)
    WebhookInbox.objects.filter(pk=failed.pk).update(
        received_at=now - retry_after - timedelta(seconds=1)
    )
    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 1
    failed.refresh_from_db()
    assert (failed.attempts, failed.last_error) == (2, "")
    assert texts_in_order() == ["de novo"]


def test_a_row_out_of_attempts_is_left_alone(evolution, settings):
    store(evolution, text_body("W1"), attempts=settings.WEBHOOK_INBOX_MAX_ATTEMPTS, last_error="x")

    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 0
    assert WebhookInbox.objects.get().processed_at is None


def test_one_row_is_processed_once(evolution):
    row = store(evolution, text_body("W1", "uma vez"))

    assert inbox_process_row(row.pk) == PROCESSED
    assert inbox_process_row(row.pk) == SKIPPED
    assert texts_in_order() == ["uma vez"]
