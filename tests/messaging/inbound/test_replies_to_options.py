"""Taps and numbered answers become replies: ``{id, title, toMessageId}`` on a TEXT message."""

import copy
import itertools

import pytest

from messaging.models import Message
from messaging.outbound.sending import send_message
from messaging.turns.dispatch import turn_ready_payload
from tests.support import factories
from tests.support.gateways import EVOLUTION_SENT, PHONE, make_instance
from tests.support.http_server import FakeHTTPServer
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

MENU = {
    "kind": "buttons",
    "body": "Como posso ajudar?",
    "buttons": [
        {"id": "boleto", "title": "Segunda via"},
        {"id": "humano", "title": "Falar com atendente"},
    ],
}
_ids = itertools.count(1)


@pytest.fixture
def evolution(organization):
    with FakeHTTPServer() as server:
        server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
        yield make_instance(organization, "evolution", server)


def customer_writes(instance, text: str) -> Message:
    body = copy.deepcopy(load_fixture("evolution", "text"))
    body["data"]["key"]["id"] = f"A1B2C3D4E5F6{next(_ids):020d}"
    body["data"]["message"]["conversation"] = text
    assert post_webhook(instance, body).status_code == 200
    return Message.objects.get(provider_message_id=body["data"]["key"]["id"])


@pytest.fixture
def menu(api_client, evolution, django_capture_on_commit_callbacks):
    """The customer wrote; the AI answered with a numbered menu (Evolution has no buttons)."""
    first = customer_writes(evolution, "Oi")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/messages",
            {
                "sessionId": str(first.session_id),
                "author": "AI",
                "type": "INTERACTIVE",
                "content": {"interactive": MENU},
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    send_message.apply(args=[response.json()["id"]])
    return Message.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(
    ("answer", "title", "option"),
    [
        ("2", "Falar com atendente", "humano"),
        ("dois", "Falar com atendente", "humano"),
        (" Opção 1. ", "Segunda via", "boleto"),
        ("segunda VIA", "Segunda via", "boleto"),
    ],
)
def test_a_numbered_answer_is_read_as_the_option(
    api_client, evolution, menu, answer, title, option
):
    assert menu.text.endswith("1 - Segunda via\n2 - Falar com atendente")

    reply = customer_writes(evolution, answer)

    assert (reply.kind, reply.text) == ("text", title)
    body = api_client.get(f"/api/v1/messages/{reply.id}").json()
    assert body["type"] == "TEXT"
    assert body["content"] == {"text": title}
    assert body["reply"] == {"id": option, "title": title, "toMessageId": str(menu.id)}
    assert body["payload"]["typedAnswer"] == answer


@pytest.mark.parametrize("text", ["3", "quero falar com alguém", "0"])
def test_anything_else_stays_what_the_customer_typed(evolution, menu, text):
    message = customer_writes(evolution, text)
    assert (message.text, message.payload.get("reply")) == (text, None)


def test_without_a_menu_a_number_is_just_a_number(evolution):
    message = customer_writes(evolution, "2")
    assert (message.text, message.payload) == ("2", {})


def test_the_reply_reaches_the_ai_platform_in_turn_ready(evolution, menu):
    reply = customer_writes(evolution, "1")
    session = reply.session
    turn = reply.turn

    payload = turn_ready_payload(turn=turn, session=session, messages=[reply])

    [sent] = payload["turn"]["messages"]
    assert (sent["text"], sent["reply"]) == (
        "Segunda via",
        {"id": "boleto", "title": "Segunda via", "toMessageId": str(menu.id)},
    )


def test_a_cloud_api_tap_names_the_message_it_answers(api_client, organization):
    cloud = factories.make_instance(
        organization,
        provider="cloudapi",
        base_url="http://127.0.0.1:9",
        external_id="106540352242922",
        credentials={"accessToken": "t"},
        app_secret="meta-app-secret",
    )
    contact = factories.make_contact(organization, phone=PHONE)
    session = factories.make_session(contact=contact, instance=cloud, status="ACTIVE")
    ours = factories.make_message(
        session,
        text="Confirma a entrega?",
        direction="OUTBOUND",
        author="AI",
        kind="interactive",
        provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkJUTlJFUExZMDAwMDAxAA==",
    )

    assert (
        post_webhook(cloud, load_fixture("cloudapi", "interactive_button_reply")).status_code == 200
    )

    tap = Message.objects.get(direction="INBOUND")
    assert (tap.kind, tap.text, tap.session_id) == ("text", "Confirmar", session.id)
    reply = api_client.get(f"/api/v1/messages/{tap.id}").json()["reply"]
    assert reply == {"id": "confirm_yes", "title": "Confirmar", "toMessageId": str(ours.id)}


@pytest.mark.parametrize(
    ("provider", "fixture", "reply"),
    [
        ("evolution", "button_reply", {"id": "plan_pro", "title": "Plano Pro"}),
        ("evolution", "list_reply", {"id": "boleto", "title": "Segunda via"}),
        (
            "evolution",
            "template_button_reply",
            {"id": "falar_atendente", "title": "Falar com atendente"},
        ),
        ("evolution", "interactive_response", {"id": "boleto", "title": "Segunda via"}),
        ("baileys", "buttons_response", {"id": "boleto", "title": "Segunda via"}),
        ("baileys", "list_response", {"id": "humano", "title": "Falar com atendente"}),
        ("uazapi", "button_reply", {"id": "boleto", "title": "Segunda via"}),
        ("uazapi", "list_reply", {"id": "humano", "title": "Falar com atendente"}),
        ("cloudapi", "interactive_list_reply", {"id": "boleto", "title": "Segunda via"}),
        ("cloudapi", "template_quick_reply", {"id": "Obrigado", "title": "Obrigado"}),
    ],
)
def test_every_gateways_tap_is_stored_as_a_reply(request, provider, fixture, reply):
    instance = request.getfixturevalue(f"{provider}_instance")

    assert post_webhook(instance, load_fixture(provider, fixture)).status_code == 200

    message = Message.objects.get(direction="INBOUND")
    assert (message.kind, message.text) == ("text", reply["title"])
    assert message.payload["reply"] == {**reply, "toMessageId": None}
