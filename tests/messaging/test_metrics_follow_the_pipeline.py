"""The metrics move as a customer message goes through the real pipeline."""

import json
import time

import pytest
from django.test import Client

from integrations.models import Delivery
from providers.models import Provider
from tests.support import factories
from tests.support.metrics import scrape
from tests.support.pipeline import wait_for
from tests.support.replay import load_fixture

PHONE = "5511987654321"
TEXT = "quero saber o preço"


@pytest.mark.worker
def test_a_webhook_its_turn_and_the_delivery_move_their_series(
    celery_worker, organization, integration, receiver, settings
):
    instance = factories.make_instance(
        organization,
        provider=Provider.EVOLUTION,
        name="Evolution",
        base_url="http://127.0.0.1:9",
        external_id="atende-main",
        concat_timeout=1,
    )
    body = load_fixture("evolution", "text")
    settings.ARRIVAL_HEADER = "X-Request-Start"
    before = scrape(settings)

    response = Client().post(
        f"/api/v1/webhooks/evolution/{instance.webhook_secret}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Request-Start": f"t={time.time():.3f}"},
    )
    assert response.status_code == 200
    assert wait_for(lambda: Delivery.objects.filter(status="SUCCEEDED").exists(), timeout=40), (
        Delivery.objects.values("status", "last_error").first()
    )

    def moved(name, **labels):
        return scrape(settings).value(name, **labels) - before.value(name, **labels)

    assert moved("atende_webhooks_received_total", provider="evolution", code="200") == 1
    assert moved("atende_webhook_body_bytes_count", provider="evolution") == 1
    assert moved("atende_webhook_door_wait_seconds_count") == 1  # the proxy's stamp
    assert wait_for(lambda: moved("atende_inbox_rows_total", outcome="processed") >= 1)
    assert moved("atende_turns_closed_total", dispatch="DISPATCHED") == 1
    assert moved("atende_delivery_attempts_total", event="turn.ready", outcome="succeeded") == 1
    assert moved("atende_deliveries_total", event="turn.ready", outcome="succeeded") == 1
    assert moved("atende_delivery_duration_seconds_count", event="turn.ready") == 1
    assert moved("atende_turn_latency_seconds_count") == 1
    assert moved("atende_celery_tasks_total", task="messaging.inbox.inbox_drain") >= 1
    assert (
        moved("atende_http_requests_total", route="/api/v1/webhooks/<slug:provider>/<str:secret>")
        == 1
    )


@pytest.mark.worker
def test_no_label_carries_a_phone_number_a_secret_or_message_text(
    celery_worker, organization, integration, settings
):
    instance = factories.make_instance(
        organization, provider=Provider.EVOLUTION, external_id="atende-main", concat_timeout=1
    )
    body = load_fixture("evolution", "text")
    body["data"]["message"] = {"conversation": TEXT}
    Client().post(
        f"/api/v1/webhooks/evolution/{instance.webhook_secret}",
        data=json.dumps(body),
        content_type="application/json",
    )
    Client().post(
        f"/api/v1/webhooks/{PHONE}/{instance.webhook_secret}?token=tok-9f8e7d",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert wait_for(lambda: Delivery.objects.exists(), timeout=40)

    metrics = scrape(settings)

    label_values = {v for s in metrics.samples for v in s.labels.values()}
    for forbidden in (PHONE, PHONE[-9:], TEXT, instance.webhook_secret, "tok-9f8e7d"):
        assert not any(forbidden in value for value in label_values), forbidden
