"""End to end: an enqueued outbound message is sent by a real Celery worker."""

import time

import pytest
from django.db import transaction

from messaging.models import DeliveryStatus, Direction, Message
from messaging.outbound.sending import outbound_enqueue
from tests.support import factories
from tests.support.gateways import EVOLUTION_SENT, make_instance
from tests.support.http_server import FakeHTTPServer

pytestmark = pytest.mark.usefixtures("inbox_inline")


@pytest.mark.worker
def test_a_real_worker_sends_and_stores_the_provider_id(celery_worker, organization):
    with FakeHTTPServer() as server:
        server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
        instance = make_instance(organization, "evolution", server)
        contact = factories.make_contact(organization, phone="5511987654321")
        session = factories.make_session(contact=contact, instance=instance)
        with transaction.atomic():
            message = factories.make_message(
                session, direction=Direction.OUTBOUND, author="AGENT", text="Olá"
            )
            outbound_enqueue(message)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = Message.objects.get(pk=message.pk)
            if message.delivery_status != DeliveryStatus.PENDING:
                break
            time.sleep(0.2)
    assert (message.delivery_status, message.provider_message_id) == ("SENT", "3EB0F00D")
    assert len(server.requests) == 1
