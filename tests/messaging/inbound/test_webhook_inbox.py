"""The webhook inbox: every accepted webhook is ingested exactly once, whatever is lost."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from contacts.models import Contact
from messaging.inbound.drain import (
    INVALID,
    PROCESSED,
    SKIPPED,
    inbox_drain_instance,
    inbox_process_row,
)
from messaging.inbound.flags import flags_client
from messaging.inbound.inbox import inbox_store
from messaging.inbound.tasks import inbox_cleanup, inbox_drain, inbox_requeue_lost
from messaging.models import Message, WebhookInbox
from sessions_app.models import ChatSession
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, last_inbox_row, post_webhook

pytestmark = pytest.mark.usefixtures("inbox_inline")


@pytest.fixture
def lost_tasks(monkeypatch):
    """The broker loses every inbox task (Redis flushed, queue purged): the
    drains the webhooks wake and the rows the sweeper queues."""
    lost = []
    monkeypatch.setattr(inbox_drain, "apply_async", lambda *args, **options: lost.append("drain"))
    return lost


def run_inline(monkeypatch):
    """The drains the sweeper wakes run at once, in this process."""
    monkeypatch.setattr(inbox_drain, "apply_async", lambda args, **options: inbox_drain.apply(args))


def age(row, seconds):
    WebhookInbox.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - timedelta(seconds=seconds)
    )


def stored_rows():
    return (Message.objects.count(), Contact.objects.count(), ChatSession.objects.count())


@pytest.mark.django_db
def test_a_row_whose_task_was_lost_is_processed_by_the_sweeper_once(
    evolution_instance, lost_tasks, monkeypatch
):
    assert post_webhook(evolution_instance, load_fixture("evolution", "text")).json() == QUEUED
    row = last_inbox_row()
    assert lost_tasks == ["drain"]
    assert (row.processed_at, stored_rows()) == (None, (0, 0, 0))

    run_inline(monkeypatch)
    assert inbox_requeue_lost() == 0  # too young: its task may still be queued
    age(row, 60)
    assert inbox_requeue_lost() == 1
    assert inbox_requeue_lost() == 0
    assert inbox_process_row(row.id) == SKIPPED

    row.refresh_from_db()
    assert row.processed_at is not None
    assert (row.attempts, row.result["stored"]) == (1, 1)
    assert stored_rows() == (1, 1, 1)


@pytest.mark.django_db
def test_an_enqueue_that_fails_still_answers_200_and_the_sweeper_catches_up(
    evolution_instance, monkeypatch
):
    def broker_down(*args, **options):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(inbox_drain, "apply_async", broker_down)
    response = post_webhook(evolution_instance, load_fixture("evolution", "text"))

    assert (response.status_code, response.json()) == (200, QUEUED)
    row = last_inbox_row()
    assert row.processed_at is None
    run_inline(monkeypatch)
    age(row, 60)
    inbox_requeue_lost()
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_crash_mid_ingest_writes_nothing_and_the_next_run_processes_the_row(
    evolution_instance, lost_tasks, monkeypatch
):
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    row = last_inbox_row()

    def crash(message, **kwargs):
        # After the contact, the session and the message were written.
        raise RuntimeError("worker died mid-ingest")

    with monkeypatch.context() as patch:
        patch.setattr("messaging.pipeline.on_customer_message", crash)
        with pytest.raises(RuntimeError):
            inbox_process_row(row.id)

    row.refresh_from_db()
    assert (row.processed_at, row.claimed_at, row.attempts, row.last_error) == (
        None,
        None,
        1,
        "RuntimeError: worker died mid-ingest",
    )
    assert stored_rows() == (0, 0, 0)

    assert inbox_process_row(row.id) == PROCESSED
    row.refresh_from_db()
    assert (row.attempts, row.last_error, row.result["stored"]) == (2, "", 1)
    assert stored_rows() == (1, 1, 1)


@pytest.mark.django_db
def test_a_row_claimed_by_a_live_run_is_left_alone_and_a_dead_claim_is_taken_over(
    evolution_instance, lost_tasks, settings
):
    """A single row run outside a drain goes by its claim's lease."""
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    row = last_inbox_row()
    claimed = timezone.now() - timedelta(seconds=settings.WEBHOOK_INBOX_CLAIM_SECONDS - 30)
    WebhookInbox.objects.filter(pk=row.pk).update(claimed_at=claimed, attempts=1)

    assert inbox_process_row(row.id) == SKIPPED
    assert Message.objects.count() == 0

    dead = timezone.now() - timedelta(seconds=settings.WEBHOOK_INBOX_CLAIM_SECONDS + 1)
    WebhookInbox.objects.filter(pk=row.pk).update(claimed_at=dead)
    assert inbox_process_row(row.id) == PROCESSED
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_the_sweeper_wakes_the_partition_of_a_drain_that_died_and_its_rows_are_taken_over_at_once(
    evolution_instance, lost_tasks, monkeypatch
):
    """A drain killed mid-batch leaves its rows claimed; the lock went with
    its connection, so the next drain of the partition (woken by the
    sweeper a few seconds later) takes them, whatever the claim's age."""
    _post_texts(evolution_instance, 3)
    WebhookInbox.objects.update(claimed_at=timezone.now(), attempts=1)
    WebhookInbox.objects.update(received_at=timezone.now() - timedelta(seconds=6))

    run_inline(monkeypatch)
    assert inbox_requeue_lost() == 1
    assert Message.objects.count() == 3
    assert set(WebhookInbox.objects.values_list("attempts", flat=True)) == {2}
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_row_that_keeps_failing_stops_after_the_attempt_limit(
    evolution_instance, lost_tasks, monkeypatch, settings
):
    settings.WEBHOOK_INBOX_MAX_ATTEMPTS = 2
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    row = last_inbox_row()
    age(row, 60)

    def crash(message, **kwargs):
        raise RuntimeError("still broken")

    monkeypatch.setattr("messaging.pipeline.on_customer_message", crash)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            inbox_process_row(row.id)

    assert inbox_process_row(row.id) == SKIPPED
    assert inbox_requeue_lost() == 0
    row.refresh_from_db()
    assert (row.processed_at, row.attempts, row.last_error) == (
        None,
        2,
        "RuntimeError: still broken",
    )


@pytest.mark.django_db
def test_a_body_that_no_longer_parses_is_marked_and_never_retried(evolution_instance):
    body = load_fixture("evolution", "text")
    del body["data"]["key"]["id"]
    raw = json.dumps(body).encode()
    inbox_id = inbox_store(instance_id=evolution_instance.pk, raw_body=raw, body_text=raw.decode())

    assert inbox_process_row(inbox_id) == INVALID
    row = WebhookInbox.objects.get(pk=inbox_id)
    assert row.processed_at is not None
    assert row.last_error == "invalid_payload: the message key has no 'id'"
    assert inbox_process_row(inbox_id) == SKIPPED
    age(row, 600)
    assert inbox_requeue_lost() == 0
    assert stored_rows() == (0, 0, 0)


@pytest.mark.django_db
def test_the_cleanup_deletes_processed_rows_past_the_retention(evolution_instance, settings):
    settings.WEBHOOK_INBOX_RETENTION_DAYS = 7
    now = timezone.now()
    ids = {}
    for name, processed_days_ago in (("old", 8), ("recent", 1), ("unprocessed", None)):
        raw = f'{{"n": "{name}"}}'.encode()
        ids[name] = inbox_store(
            instance_id=evolution_instance.pk, raw_body=raw, body_text=raw.decode()
        )
        processed = now - timedelta(days=processed_days_ago) if processed_days_ago else None
        WebhookInbox.objects.filter(pk=ids[name]).update(
            received_at=now - timedelta(days=8), processed_at=processed
        )

    assert inbox_cleanup() == 1
    assert set(WebhookInbox.objects.values_list("id", flat=True)) == {
        ids["recent"],
        ids["unprocessed"],
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lease_seconds", [120, 0], ids=["claim", "lease-expired"])
def test_two_concurrent_runs_of_one_row_process_it_once(
    evolution_instance, lost_tasks, monkeypatch, settings, lease_seconds
):
    # With lease 0 both runs get past the claim; the row lock serializes them.
    settings.WEBHOOK_INBOX_CLAIM_SECONDS = lease_seconds
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    inbox_id = last_inbox_row().id

    from messaging import pipeline

    real_hook = pipeline.on_customer_message

    def slow_hook(message, **kwargs):
        time.sleep(0.3)  # keep the first run's transaction open while the other starts
        real_hook(message, **kwargs)

    monkeypatch.setattr("messaging.pipeline.on_customer_message", slow_hook)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(inbox_process_row(inbox_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [PROCESSED, SKIPPED]
    assert stored_rows() == (1, 1, 1)
    assert WebhookInbox.objects.get(pk=inbox_id).processed_at is not None


def _post_texts(instance, count, prefix="DRAIN"):
    body = load_fixture("evolution", "text")
    for n in range(count):
        body["data"]["key"]["id"] = f"{prefix}{n}"
        assert post_webhook(instance, body).json() == QUEUED


@pytest.mark.django_db
def test_a_drain_ingests_the_backlog_in_batches_in_arrival_order(
    evolution_instance, lost_tasks, settings
):
    settings.WEBHOOK_INBOX_DRAIN_BATCH = 2
    _post_texts(evolution_instance, 5)
    assert lost_tasks == ["drain"]  # one wake-up for the five

    partition = last_inbox_row().partition
    counts = inbox_drain.apply((str(evolution_instance.pk), partition)).get()  # as a worker runs it

    assert (counts[PROCESSED], counts["failed"], counts["more"]) == (5, 0, False)
    ids = list(Message.objects.order_by("concat_seq").values_list("provider_message_id", flat=True))
    assert ids == [f"DRAIN{n}" for n in range(5)]
    assert set(WebhookInbox.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_drain_out_of_time_hands_over_to_the_next(evolution_instance, lost_tasks, settings):
    settings.WEBHOOK_INBOX_DRAIN_BATCH = 2
    settings.WEBHOOK_INBOX_DRAIN_SECONDS = 0
    _post_texts(evolution_instance, 5)

    partition = last_inbox_row().partition
    counts = inbox_drain.apply((str(evolution_instance.pk), partition)).get()  # as a worker runs it

    assert (counts[PROCESSED], counts["more"]) == (2, True)
    assert lost_tasks == ["drain", "drain"]  # the webhooks' wake-up, then the hand-over
    assert WebhookInbox.objects.filter(processed_at__isnull=True).count() == 3
    assert inbox_drain_instance(evolution_instance.pk, budget_seconds=10)[PROCESSED] == 3


@pytest.mark.django_db
def test_a_drain_takes_only_its_own_instances_rows(evolution_instance, uazapi_instance, lost_tasks):
    _post_texts(evolution_instance, 2)
    other = WebhookInbox.objects.create(
        instance=uazapi_instance, body={}, body_sha256="0" * 64, received_at=timezone.now()
    )

    assert inbox_drain_instance(evolution_instance.pk)[PROCESSED] == 2
    other.refresh_from_db()
    assert (other.processed_at, other.attempts) == (None, 0)


@pytest.mark.django_db
def test_a_failing_row_does_not_hold_up_the_drain_and_is_left_to_the_sweeper(
    evolution_instance, lost_tasks, monkeypatch
):
    _post_texts(evolution_instance, 3)
    from messaging import pipeline

    real_hook = pipeline.on_customer_message

    def fail_the_second(message, **kwargs):
        if message.provider_message_id == "DRAIN1":
            raise RuntimeError("broken row")
        real_hook(message, **kwargs)

    monkeypatch.setattr("messaging.pipeline.on_customer_message", fail_the_second)
    counts = inbox_drain_instance(evolution_instance.pk)

    assert (counts[PROCESSED], counts["failed"]) == (2, 1)
    failed = WebhookInbox.objects.get(processed_at__isnull=True)
    assert (failed.attempts, failed.claimed_at, failed.last_error) == (
        1,
        None,
        "RuntimeError: broken row",
    )
    # The next drain leaves it alone (spaced retries are the sweeper's)...
    assert inbox_drain_instance(evolution_instance.pk)[PROCESSED] == 0
    # ...which runs it again once it is old enough.
    monkeypatch.setattr("messaging.pipeline.on_customer_message", real_hook)
    run_inline(monkeypatch)
    age(failed, 60)
    assert inbox_requeue_lost() == 1
    assert Message.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_drain_per_instance_and_a_webhook_arriving_meanwhile_is_not_lost(
    evolution_instance, monkeypatch, settings
):
    """A drain holds the instance's lock; a webhook arrives and its drain finds
    the lock taken and leaves; the holder sees the flag and drains it too."""
    settings.WEBHOOK_INBOX_DRAIN_BATCH = 2
    queued = []
    monkeypatch.setattr(inbox_drain, "apply_async", lambda args, **options: queued.append(args))
    _post_texts(evolution_instance, 3)
    assert len(queued) == 1

    from messaging import pipeline

    real_hook = pipeline.on_customer_message
    inside = threading.Event()
    go_on = threading.Event()

    def slow_hook(message, **kwargs):
        if message.provider_message_id == "DRAIN0":
            inside.set()
            go_on.wait(timeout=10)
        real_hook(message, **kwargs)

    monkeypatch.setattr("messaging.pipeline.on_customer_message", slow_hook)
    outcomes = []

    def first_drain():
        try:
            outcomes.append(inbox_drain.apply(queued[0]).get())
        finally:
            connection.close()

    thread = threading.Thread(target=first_drain)
    thread.start()
    assert inside.wait(timeout=10)
    # Meanwhile: a new webhook, whose drain finds the lock taken.
    _post_texts(evolution_instance, 1, prefix="LATE")
    assert len(queued) == 2
    assert inbox_drain.apply(queued[1]).get()["busy"] is True
    go_on.set()
    thread.join(timeout=30)

    assert outcomes[0][PROCESSED] == 4
    ids = list(Message.objects.order_by("concat_seq").values_list("provider_message_id", flat=True))
    assert ids == ["DRAIN0", "DRAIN1", "DRAIN2", "LATE0"]
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db
def test_with_redis_unreachable_the_webhook_still_answers_and_keeps_the_row(
    evolution_instance, settings
):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    flags_client.cache_clear()
    try:
        response = post_webhook(evolution_instance, load_fixture("evolution", "text"))
    finally:
        flags_client.cache_clear()

    assert (response.status_code, response.json()) == (200, QUEUED)
    assert last_inbox_row().processed_at is None  # no drain woke: the sweeper's


@pytest.mark.django_db
def test_a_drain_names_the_organization_session_and_message_its_lines_are_about(
    evolution_instance, lost_tasks, monkeypatch
):
    from core.logging import log_context

    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    row = last_inbox_row()
    seen = []

    def crash(message, **kwargs):
        seen.append(log_context())  # what a line logged now would carry
        raise RuntimeError("worker died mid-ingest")

    with monkeypatch.context() as patch:
        patch.setattr("messaging.pipeline.on_customer_message", crash)
        with pytest.raises(RuntimeError):
            inbox_process_row(row.id)

    message = Message(pk=seen[0]["message_id"])  # rolled back: only its id is left
    assert seen[0]["organization_id"] == str(evolution_instance.organization_id)
    assert seen[0]["session_id"] and message.pk
    # The next row of the drain starts without the previous one's ids.
    assert inbox_process_row(row.id) == PROCESSED
    assert log_context()["message_id"] == str(Message.objects.get().pk)


def test_a_connection_the_database_dropped_stores_the_webhook_on_a_new_one(
    transactional_db, evolution_instance
):
    # As a database restart does to every kept connection: this process's ends.
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    body = b'{"event": "messages.upsert", "n": 1}'

    inbox_id = inbox_store(
        instance_id=evolution_instance.pk, raw_body=body, body_text=body.decode()
    )

    assert WebhookInbox.objects.filter(pk=inbox_id, instance=evolution_instance).exists()
    # The same bytes again: stored once.
    assert (
        inbox_store(instance_id=evolution_instance.pk, raw_body=body, body_text=body.decode())
        is None
    )
