import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from core.models import Heartbeat


@pytest.fixture
def live_worker(db):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now(), hostname="test")


def test_all_up_is_200(client, live_worker):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {k: v["ok"] for k, v in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "worker": True,
        "ingest": True,
    }


def _inbox_row(instance, n, age_seconds, **fields):
    from messaging.models import WebhookInbox

    return WebhookInbox.objects.create(
        instance=instance,
        body={},
        body_sha256=f"{n:064d}",
        received_at=timezone.now() - timedelta(seconds=age_seconds),
        **fields,
    )


def test_a_webhook_backlog_is_reported_and_only_a_stalled_one_is_503(
    client, live_worker, instance, settings
):
    for n in range(3):  # a burst the drain has not reached yet
        _inbox_row(instance, n, age_seconds=5)
    _inbox_row(instance, 9, age_seconds=3600, attempts=settings.WEBHOOK_INBOX_MAX_ATTEMPTS)
    response = client.get("/api/health")
    assert response.status_code == 200
    ingest = response.json()["checks"]["ingest"]
    assert (ingest["ok"], ingest["pending"], ingest["stuck"]) == (True, 3, 1)

    _inbox_row(instance, 10, age_seconds=11 * 60)  # retryable, and waiting for 11 minutes
    response = client.get("/api/health")
    assert response.status_code == 503
    ingest = response.json()["checks"]["ingest"]
    assert (ingest["ok"], ingest["pending"]) == (False, 4)
    assert ingest["oldestPendingSeconds"] >= 660


def test_unreachable_broker_is_503(client, live_worker, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_stale_worker_heartbeat_is_503(client, db):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_no_worker_ever_is_503(client, db):
    assert client.get("/api/health").status_code == 503


def test_a_503_while_the_worker_starts_is_a_warning_not_an_error(client, db, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get("/api/health").status_code == 503
    [line] = [r for r in caplog.records if "health" in r.getMessage().lower()]
    assert line.levelno == logging.WARNING and "worker" in line.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.worker
def test_a_real_worker_makes_it_healthy(client, celery_worker):
    from core.tasks import heartbeat

    heartbeat.delay()
    deadline = timezone.now() + timedelta(seconds=20)
    while timezone.now() < deadline and not Heartbeat.objects.exists():
        time.sleep(0.2)
    assert client.get("/api/health").status_code == 200
