"""Delivery statuses only move forward; connection and QR webhooks update the instance."""

import pytest

from messaging.models import Author, DeliveryStatus, Direction
from providers.models import ConnectionStatus
from tests.support import factories
from tests.support.replay import load_fixture
from tests.support.webhooks import last_inbox_row, post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

EVO_ID = "3EB0A0B1C2D3E4F5A6B7C8"
CLOUD_ID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA=="


def _sent(instance, provider_message_id):
    contact = factories.make_contact(instance.organization, phone="5511987654321")
    session = factories.make_session(contact=contact, instance=instance)
    return factories.make_message(
        session,
        text="Olá",
        direction=Direction.OUTBOUND,
        author=Author.AGENT,
        provider_message_id=provider_message_id,
        delivery_status=DeliveryStatus.SENT,
    )


def test_read_then_delivered_stays_read(evolution_instance):
    message = _sent(evolution_instance, EVO_ID)
    post_webhook(evolution_instance, load_fixture("evolution", "status_read"))
    post_webhook(evolution_instance, load_fixture("evolution", "status_delivered"))

    assert last_inbox_row().result["statuses"] == 0
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.READ
    assert message.read_at is not None
    assert message.delivered_at is not None


def test_statuses_in_order_move_forward(cloudapi_instance):
    message = _sent(cloudapi_instance, CLOUD_ID)
    message.delivery_status = DeliveryStatus.PENDING
    message.save()
    seen = []
    for name in ("status_sent", "status_delivered", "status_read"):
        post_webhook(cloudapi_instance, load_fixture("cloudapi", name))
        message.refresh_from_db()
        seen.append(message.delivery_status)
    assert seen == [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ]


def test_failed_keeps_the_providers_error_and_delivered_does_not_undo_it(cloudapi_instance):
    message = _sent(cloudapi_instance, CLOUD_ID)
    post_webhook(cloudapi_instance, load_fixture("cloudapi", "status_failed"))
    post_webhook(cloudapi_instance, load_fixture("cloudapi", "status_delivered"))

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == (
        "131047 Re-engagement message: Message failed to send because more than 24 hours "
        "have passed since the customer last replied to this number."
    )


def test_a_receipt_batch_updates_each_message(uazapi_instance):
    first = _sent(uazapi_instance, "3EB0123456789ABCDEF0")
    second = factories.make_message(
        first.session,
        direction=Direction.OUTBOUND,
        author=Author.AI,
        provider_message_id="3EB0123456789ABCDEF1",
        delivery_status=DeliveryStatus.SENT,
    )
    post_webhook(uazapi_instance, load_fixture("uazapi", "receipt_delivered"))

    assert last_inbox_row().result["statuses"] == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.delivery_status, second.delivery_status) == ("DELIVERED", "DELIVERED")


def test_a_status_for_an_inbound_message_changes_nothing(evolution_instance):
    contact = factories.make_contact(evolution_instance.organization, phone="5511987654321")
    session = factories.make_session(contact=contact, instance=evolution_instance)
    inbound = factories.make_message(session, provider_message_id=EVO_ID)
    post_webhook(evolution_instance, load_fixture("evolution", "status_read"))
    inbound.refresh_from_db()
    assert inbound.delivery_status == DeliveryStatus.PENDING


def test_connection_webhooks_update_status_and_since(evolution_instance):
    post_webhook(evolution_instance, load_fixture("evolution", "connection_open"))
    evolution_instance.refresh_from_db()
    assert evolution_instance.connection_status == ConnectionStatus.CONNECTED
    assert evolution_instance.phone_number == "5511999990000"
    since = evolution_instance.connection_status_since
    assert since is not None

    post_webhook(evolution_instance, load_fixture("evolution", "connection_open"))
    evolution_instance.refresh_from_db()
    assert evolution_instance.connection_status_since == since

    post_webhook(evolution_instance, load_fixture("evolution", "connection_close"))
    evolution_instance.refresh_from_db()
    assert evolution_instance.connection_status == ConnectionStatus.DISCONNECTED
    assert evolution_instance.connection_status_since > since


def test_qr_code_webhooks_store_the_latest_code(uazapi_instance):
    post_webhook(uazapi_instance, load_fixture("uazapi", "connection_qrcode"))
    uazapi_instance.refresh_from_db()
    assert uazapi_instance.qr_code.startswith("data:image/png;base64,")
    assert uazapi_instance.qr_code_updated_at is not None
    assert uazapi_instance.connection_status == ConnectionStatus.CONNECTING

    post_webhook(uazapi_instance, load_fixture("uazapi", "connection_connected"))
    uazapi_instance.refresh_from_db()
    assert (uazapi_instance.connection_status, uazapi_instance.qr_code) == ("CONNECTED", "")


def test_baileys_connection_and_qr(baileys_instance):
    post_webhook(baileys_instance, load_fixture("baileys", "connection_qr"))
    post_webhook(baileys_instance, load_fixture("baileys", "connection_close_logged_out"))
    baileys_instance.refresh_from_db()
    assert (
        baileys_instance.qr_code == "2@A1b2C3d4E5f6G7h8,I9j0K1l2M3n4=,O5p6Q7r8S9t0=,U1v2W3x4Y5z6="
    )
    assert baileys_instance.connection_status == ConnectionStatus.DISCONNECTED
