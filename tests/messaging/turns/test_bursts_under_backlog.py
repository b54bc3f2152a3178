"""A burst stays one turn however far behind the workers are."""

import time
from datetime import timedelta

import pytest
from django.db.models import F

from messaging.models import Turn, WebhookInbox
from providers.models import Provider
from tests.support import factories
from tests.support.pipeline import wait_for
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, post_webhook


@pytest.mark.worker
def test_five_messages_half_a_second_apart_ingested_ten_seconds_late_are_one_turn(
    celery_worker, _worker_process, organization, integration, receiver
):
    instance = factories.make_instance(
        organization,
        provider=Provider.EVOLUTION,
        name="Evolution",
        base_url="http://127.0.0.1:9",
        external_id="atende-main",
        credentials={"apiKey": "evo-instance-token"},
        concat_timeout=2,
    )
    texts = ["Oi", "meu pedido 4521", "não chegou", "já faz uma semana", "podem ver?"]
    body = load_fixture("evolution", "text")
    _worker_process.kill()  # the workers are busy: nothing is ingested meanwhile
    try:
        for n, text in enumerate(texts):
            body["data"]["key"]["id"] = f"LATE{n}"
            body["data"]["message"]["conversation"] = text
            assert post_webhook(instance, body).json() == QUEUED
            time.sleep(0.5)
        # Ten seconds in the inbox: every step measures on the rows' arrival
        # times, so they are moved back rather than waited out.
        pending = WebhookInbox.objects.filter(processed_at__isnull=True)
        assert pending.update(received_at=F("received_at") - timedelta(seconds=10)) == 5
    finally:
        _worker_process.start()

    turns = wait_for(receiver.turns, timeout=60)
    time.sleep(3)  # a second turn, if any, would come within this

    assert len(receiver.turns()) == 1
    assert [m["text"] for m in turns[0]["turn"]["messages"]] == texts
    turn = Turn.objects.get()
    assert (turn.status, turn.messages_count) == ("CLOSED", 5)
