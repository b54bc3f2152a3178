"""End to end: a webhook answered by the view is ingested by a real Celery worker."""

import time
from datetime import timedelta

import pytest

from messaging.models import Message, WebhookInbox
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, post_webhook

pytestmark = pytest.mark.usefixtures("inbox_inline")


@pytest.mark.worker
def test_a_real_worker_ingests_a_queued_webhook(celery_worker, evolution_instance):
    response = post_webhook(evolution_instance, load_fixture("evolution", "text"))
    assert response.json() == QUEUED

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Message.objects.exists():
        time.sleep(0.2)

    message = Message.objects.get()
    assert (message.provider_message_id, message.text) == (
        "A1B2C3D4E5F60718293A4B5C6D7E8F90",
        "Olá, quero saber o preço do plano",
    )
    row = WebhookInbox.objects.get()
    assert row.processed_at is not None
    assert (row.attempts, row.result["stored"]) == (1, 1)


@pytest.mark.worker
def test_a_real_worker_drains_a_burst_exactly_once(celery_worker, evolution_instance):
    body = load_fixture("evolution", "text")
    for n in range(40):
        body["data"]["key"]["id"] = f"BURST{n:02d}"
        body["data"]["key"]["remoteJid"] = f"55119{n % 4:08d}@s.whatsapp.net"
        body["data"]["key"].pop("remoteJidAlt", None)
        assert post_webhook(evolution_instance, body).json() == QUEUED

    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and WebhookInbox.objects.filter(processed_at__isnull=True).exists()
    ):
        time.sleep(0.2)

    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()
    assert Message.objects.count() == 40
    assert len(set(Message.objects.values_list("provider_message_id", flat=True))) == 40
    # Each row claimed once: no run repeated another's work.
    assert set(WebhookInbox.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.worker
def test_webhooks_whose_drain_was_lost_with_redis_are_ingested_once(
    celery_worker, _worker_process, evolution_instance, settings
):
    import redis
    from django.utils import timezone

    from messaging.inbound.tasks import inbox_requeue_lost

    _worker_process.kill()
    try:
        body = load_fixture("evolution", "text")
        for n in range(10):
            body["data"]["key"]["id"] = f"LOST{n}"
            assert post_webhook(evolution_instance, body).json() == QUEUED
        # Redis restarts empty: the queued drain and the wake flag are gone.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    finally:
        _worker_process.start()
    time.sleep(1)
    assert WebhookInbox.objects.filter(processed_at__isnull=True).count() == 10

    # The rows are the durable copy: the sweeper queues them once they are overdue.
    WebhookInbox.objects.update(received_at=timezone.now() - timedelta(seconds=60))
    assert inbox_requeue_lost() == 1  # one chat: one partition's drain
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and WebhookInbox.objects.filter(processed_at__isnull=True).exists()
    ):
        time.sleep(0.2)

    assert Message.objects.count() == 10
    assert set(WebhookInbox.objects.values_list("attempts", flat=True)) == {1}
    # And the next webhook wakes a drain again (the flag went with Redis).
    body["data"]["key"]["id"] = "AFTER"
    assert post_webhook(evolution_instance, body).json() == QUEUED
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Message.objects.count() < 11:
        time.sleep(0.2)
    assert Message.objects.count() == 11
