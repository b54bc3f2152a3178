"""Failures WhatsApp reports: at once (the send's 400) or later (a status with ``errors``)."""

import pytest

from integrations.models import Delivery
from integrations.services import integration_create
from messaging.models import Author, DeliveryStatus, Direction
from messaging.outbound.sending import send_message
from tests.support import factories
from tests.support.cloudapi import RE_ENGAGEMENT_ERROR
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

FAILED_WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA=="


@pytest.fixture
def subscriber(organization):
    return integration_create(
        organization=organization,
        name="AI platform",
        url="http://127.0.0.1:9/hook",
        events=["message.updated", "message.status"],
    )


def outbound(instance, **fields):
    contact = factories.make_contact(instance.organization, phone="5511987654321")
    session = factories.make_session(contact=contact, instance=instance, status="ACTIVE")
    return factories.make_message(
        session,
        text="Te aviso amanhã",
        direction=Direction.OUTBOUND,
        author=Author.AGENT,
        **{"delivery_status": DeliveryStatus.PENDING, **fields},
    )


def test_a_later_failed_status_marks_the_message_failed_with_code_and_title(
    api_client, cloud, subscriber
):
    message = outbound(cloud, provider_message_id=FAILED_WAMID, delivery_status="SENT")

    response = post_webhook(cloud, load_fixture("cloudapi", "status_failed"))

    assert response.status_code == 200
    body = api_client.get(f"/api/v1/messages/{message.id}").json()
    assert (body["status"], body["errorCode"], body["errorTitle"]) == (
        "FAILED",
        "131047",
        "Re-engagement message",
    )
    assert body["error"].startswith("131047 Re-engagement message: Message failed to send")
    updated = Delivery.objects.get(integration=subscriber, event="message.updated")
    assert updated.payload["message"] | {"id": None} == {
        "id": None,
        "sessionId": str(message.session_id),
        "contactId": str(message.contact_id),
        "providerMessageId": FAILED_WAMID,
        "kind": "text",
        "author": "AGENT",
        "status": "FAILED",
        "error": body["error"],
        "errorCode": "131047",
        "errorTitle": "Re-engagement message",
    }
    assert updated.payload["message"]["id"] == str(message.id)


def test_the_same_failure_twice_publishes_once(cloud, subscriber):
    outbound(cloud, provider_message_id=FAILED_WAMID, delivery_status="SENT")
    post_webhook(cloud, load_fixture("cloudapi", "status_failed"))
    again = load_fixture("cloudapi", "status_failed")
    again["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"] = "1761057199"
    post_webhook(cloud, again)
    assert Delivery.objects.filter(event="message.updated").count() == 1


def test_a_synchronous_400_fails_the_send_with_metas_code(api_client, cloud, graph, subscriber):
    graph.send_error = RE_ENGAGEMENT_ERROR
    message = outbound(cloud)

    send_message.apply(args=[str(message.pk)])

    body = api_client.get(f"/api/v1/messages/{message.id}").json()
    assert (body["status"], body["errorCode"], body["errorTitle"]) == (
        "FAILED",
        "131047",
        "Re-engagement message",
    )
    assert len(graph.sends) == 1  # permanent: not retried
    assert Delivery.objects.filter(integration=subscriber, event="message.updated").exists()


def test_a_transient_graph_code_is_retried_not_failed(cloud, graph, settings):
    settings.OUTBOUND_RETRY_BASE_SECONDS = 0
    graph.send_error = (400, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}})
    message = outbound(cloud)
    send_message.apply(args=[str(message.pk)])
    message.refresh_from_db()
    assert message.delivery_status == "FAILED"
    assert message.delivery_error_code == ""  # gave up after retries, not refused by WhatsApp
    assert len(graph.sends) == 6
