"""The survey end to end with a real worker: webhooks in, the question and
the thanks out through the gateway (a fake Evolution API)."""

import itertools

import pytest

from messaging.models import Author, DeliveryStatus, Message, Turn
from sessions_app.models import ChatSession, SessionStatus
from tests.support.gateways import make_instance
from tests.support.http_server import FakeHTTPServer
from tests.support.pipeline import wait_for
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("inbox_inline")]


def customer_writes(instance, text: str, message_id: str):
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = message_id
    body["data"]["message"]["conversation"] = text
    assert post_webhook(instance, body).status_code == 200


def sent_texts(server) -> list[str]:
    return [r.json["text"] for r in server.requests if r.path.startswith("/message/sendText/")]


def test_the_survey_is_sent_answered_and_thanked_through_the_gateway(
    celery_worker, organization, api_client
):
    organization.csat_enabled = True
    organization.save()
    ids = itertools.count(1)
    with FakeHTTPServer() as server:
        server.route(
            "POST",
            "/message/sendText/atende-main",
            lambda request: (201, {"key": {"id": f"OUT{next(ids)}"}, "status": "PENDING"}),
        )
        instance = make_instance(organization, "evolution", server)
        customer_writes(instance, "Quero trocar um produto", "IN1")
        assert wait_for(lambda: ChatSession.objects.exists())
        session = ChatSession.objects.get()
        turns = wait_for(lambda: Turn.objects.count())

        response = api_client.post(
            f"/api/v1/sessions/{session.id}/close", {"endReason": "Resolvido"}, format="json"
        )
        assert response.status_code == 200
        assert wait_for(lambda: sent_texts(server) == ["De 1 a 5, como foi o atendimento?"])

        customer_writes(instance, "cinco", "IN2")
        assert wait_for(lambda: len(sent_texts(server)) == 2)
        assert sent_texts(server)[1] == "Obrigado pela avaliação!"

        session.refresh_from_db()
        assert session.status == SessionStatus.CLOSED
        assert session.csat_rating == 5
        assert ChatSession.objects.count() == 1
        assert Turn.objects.count() == turns
        statuses = wait_for(
            lambda: (
                set(
                    Message.objects.filter(author=Author.SYSTEM).values_list(
                        "delivery_status", flat=True
                    )
                )
                == {DeliveryStatus.SENT}
            )
        )
        assert statuses
        api = api_client.get(f"/api/v1/sessions/{session.id}").json()
        assert api["csat"]["rating"] == 5 and api["csat"]["comment"] == ""

        # Anything else is a new conversation, as without a survey.
        customer_writes(instance, "Oi de novo", "IN3")
        assert wait_for(lambda: ChatSession.objects.count() == 2)
        new = ChatSession.objects.exclude(pk=session.pk).get()
        assert Message.objects.get(provider_message_id="IN3").session_id == new.pk
