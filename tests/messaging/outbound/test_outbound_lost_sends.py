"""A send whose task was lost (Redis flushed, worker killed) is sent once by the sweeper."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import DeliveryStatus, Direction, Message
from messaging.outbound.sending import outbound_requeue_lost
from providers.models import SandboxOutboxMessage
from tests.support import factories

pytestmark = pytest.mark.usefixtures("inbox_inline")


def _pending(session, *, age_seconds: int, **fields) -> Message:
    fields.setdefault("direction", Direction.OUTBOUND)
    message = factories.make_message(session, author="AGENT", text="Seu pedido saiu", **fields)
    Message.objects.filter(pk=message.pk).update(
        updated_at=timezone.now() - timedelta(seconds=age_seconds)
    )
    return message


def _wait_until_sent(message: Message) -> Message:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message = Message.objects.get(pk=message.pk)
        if message.delivery_status != DeliveryStatus.PENDING:
            return message
        time.sleep(0.2)
    return message


@pytest.mark.worker
def test_the_sweeper_sends_a_lost_message_once(celery_worker, settings):
    organization = factories.make_organization()
    instance = factories.make_instance(organization)
    session = factories.make_session(
        contact=factories.make_contact(organization), instance=instance
    )
    lost = _pending(session, age_seconds=settings.OUTBOUND_REQUEUE_AFTER_SECONDS + 60)

    assert outbound_requeue_lost() == 1
    lost = _wait_until_sent(lost)

    assert lost.delivery_status == DeliveryStatus.SENT
    assert outbound_requeue_lost() == 0
    assert SandboxOutboxMessage.objects.filter(instance=instance).count() == 1


def test_recent_sent_and_record_only_messages_are_left_alone(chat_session, settings):
    old = settings.OUTBOUND_REQUEUE_AFTER_SECONDS + 60
    _pending(chat_session, age_seconds=10)  # its task may still be on its way
    _pending(chat_session, age_seconds=old, send_external=False)
    _pending(chat_session, age_seconds=old, provider_message_id="SENT-1")
    _pending(chat_session, age_seconds=old, delivery_status=DeliveryStatus.FAILED)
    _pending(chat_session, age_seconds=old, direction=Direction.INBOUND)

    assert outbound_requeue_lost() == 0
