"""INTERACTIVE messages: WhatsApp's limits, each gateway's way of sending, the numbered fallback."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Message
from messaging.outbound.sending import send_message
from providers.models import Provider
from tests.support import factories
from tests.support.api import assert_error
from tests.support.cloudapi import FakeCloudApi, make_cloudapi_instance
from tests.support.gateways import EVOLUTION_SENT, PHONE, make_instance
from tests.support.http_server import FakeHTTPServer

pytestmark = pytest.mark.django_db

BUTTONS = {
    "kind": "buttons",
    "header": "Loja Centro",
    "body": "Como posso ajudar?",
    "footer": "Responda quando quiser",
    "buttons": [
        {"id": "boleto", "title": "Segunda via"},
        {"id": "humano", "title": "Falar com atendente"},
    ],
}
LIST = {
    "kind": "list",
    "body": "Escolha um assunto",
    "list": {
        "button": "Ver opções",
        "sections": [
            {
                "title": "Financeiro",
                "rows": [{"id": "boleto", "title": "Segunda via", "description": "Boleto do mês"}],
            },
            {"title": "Atendimento", "rows": [{"id": "humano", "title": "Falar com atendente"}]},
        ],
    },
}


@pytest.fixture
def server():
    with FakeHTTPServer() as fake:
        yield fake


def session_on(instance):
    contact = factories.make_contact(instance.organization, phone=PHONE, name="Maria")
    return factories.make_session(contact=contact, instance=instance, status="ACTIVE")


def open_window(session):
    """The customer wrote an hour ago: free-form messages may go out."""
    session.__class__.objects.filter(pk=session.pk).update(
        whatsapp_window_expires_at=timezone.now() + timedelta(hours=23)
    )


def post_interactive(api_client, session, interactive):
    return api_client.post(
        "/api/v1/messages",
        {
            "sessionId": str(session.id),
            "author": "AI",
            "type": "INTERACTIVE",
            "content": {"interactive": interactive},
        },
        format="json",
    )


def sent(api_client, session, interactive) -> Message:
    response = post_interactive(api_client, session, interactive)
    assert response.status_code == 201, response.content
    send_message.apply(args=[response.json()["id"]])
    return Message.objects.get(pk=response.json()["id"])


def test_cloud_api_sends_reply_buttons_natively(api_client, organization, server):
    graph = FakeCloudApi(server)
    cloud = make_cloudapi_instance(organization, server)
    session = session_on(cloud)
    open_window(session)

    message = sent(api_client, session, BUTTONS)

    assert graph.sends[0]["type"] == "interactive"
    assert graph.sends[0]["interactive"] == {
        "type": "button",
        "header": {"type": "text", "text": "Loja Centro"},
        "body": {"text": "Como posso ajudar?"},
        "footer": {"text": "Responda quando quiser"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "boleto", "title": "Segunda via"}},
                {"type": "reply", "reply": {"id": "humano", "title": "Falar com atendente"}},
            ]
        },
    }
    assert (message.kind, message.text, message.delivery_status) == (
        "interactive",
        "Como posso ajudar?",
        "SENT",
    )
    assert message.payload["fallback"] is False


def test_cloud_api_sends_a_list_by_sections(api_client, organization, server):
    graph = FakeCloudApi(server)
    cloud = make_cloudapi_instance(organization, server)
    session = session_on(cloud)
    open_window(session)

    sent(api_client, session, LIST)

    assert graph.sends[0]["interactive"] == {
        "type": "list",
        "body": {"text": "Escolha um assunto"},
        "action": {
            "button": "Ver opções",
            "sections": [
                {
                    "title": "Financeiro",
                    "rows": [
                        {"id": "boleto", "title": "Segunda via", "description": "Boleto do mês"}
                    ],
                },
                {
                    "title": "Atendimento",
                    "rows": [{"id": "humano", "title": "Falar com atendente"}],
                },
            ],
        },
    }


def test_interactive_is_free_form_so_a_closed_window_refuses_it(api_client, organization, server):
    cloud = make_cloudapi_instance(organization, server)
    response = post_interactive(api_client, session_on(cloud), BUTTONS)
    assert_error(response, 409, "whatsapp_window_closed")


def test_uazapi_sends_a_menu(api_client, organization, server):
    server.route("POST", "/send/menu", lambda r: (200, {"messageid": "3EB0MENU01"}))
    session = session_on(make_instance(organization, Provider.UAZAPI, server))

    buttons = sent(api_client, session, BUTTONS)
    sent(api_client, session, LIST)

    first, second = (r.json for r in server.requests_to("/send/menu"))
    assert first == {
        "number": PHONE,
        "type": "button",
        "text": "Loja Centro\n\nComo posso ajudar?",
        "choices": ["Segunda via|boleto", "Falar com atendente|humano"],
        "footerText": "Responda quando quiser",
    }
    assert second == {
        "number": PHONE,
        "type": "list",
        "text": "Escolha um assunto",
        "choices": [
            "[Financeiro]",
            "Segunda via|boleto|Boleto do mês",
            "[Atendimento]",
            "Falar com atendente|humano",
        ],
        "listButton": "Ver opções",
    }
    assert buttons.provider_message_id == "3EB0MENU01"


@pytest.mark.parametrize("provider", [Provider.EVOLUTION, Provider.BAILEYS, Provider.SANDBOX])
def test_gateways_without_dependable_buttons_get_a_numbered_text(
    api_client, organization, server, provider
):
    server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
    server.route(
        "POST",
        "/sessions/main/messages",
        lambda r: (201, {"key": {"id": "3EB0BAILEYS1", "fromMe": True}, "status": 1}),
    )
    instance = (
        factories.make_instance(organization, provider=Provider.SANDBOX)
        if provider == Provider.SANDBOX
        else make_instance(organization, provider, server)
    )

    message = sent(api_client, session_on(instance), BUTTONS)

    expected = (
        "Loja Centro\nComo posso ajudar?\n\n1 - Segunda via\n2 - Falar com atendente"
        "\n\nResponda quando quiser"
    )
    assert (message.kind, message.text, message.delivery_status) == (
        "interactive",
        expected,
        "SENT",
    )
    assert message.payload["fallback"] is True
    if provider == Provider.EVOLUTION:
        assert server.requests_to("/message/sendText/atende-main")[0].json["text"] == expected
    if provider == Provider.BAILEYS:
        assert server.requests_to("/sessions/main/messages")[0].json["text"] == expected


LONG = "x" * 300


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"buttons": []}, "buttons"),
        ({"buttons": [{"id": str(i), "title": str(i)} for i in range(4)]}, "buttons"),
        ({"buttons": [{"id": "a", "title": "x" * 21}]}, "buttons[0].title"),
        ({"buttons": [{"id": "x" * 257, "title": "ok"}]}, "buttons[0].id"),
        ({"buttons": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}, "buttons"),
        ({"body": "x" * 1025}, "body"),
        ({"body": ""}, "body"),
        ({"header": "x" * 61}, "header"),
        ({"footer": "x" * 61}, "footer"),
        ({"kind": "carousel"}, "kind"),
    ],
    ids=[
        "no-buttons",
        "four-buttons",
        "button-title-21",
        "button-id-257",
        "duplicate-ids",
        "body-1025",
        "empty-body",
        "header-61",
        "footer-61",
        "unknown-kind",
    ],
)
def test_each_button_limit_is_a_400_naming_the_field(api_client, instance, change, field):
    response = post_interactive(api_client, session_on(instance), {**BUTTONS, **change})
    error = assert_error(response, 400, "validation_error")
    assert list(error["details"]) == [f"content.interactive.{field}"], error
    assert not Message.objects.exists()


def _list(sections=None, button="Ver opções", body="Escolha"):
    return {
        "kind": "list",
        "body": body,
        "list": {"button": button, "sections": sections or LIST["list"]["sections"]},
    }


@pytest.mark.parametrize(
    ("interactive", "field"),
    [
        (_list([{"rows": [{"id": str(i), "title": str(i)} for i in range(11)]}]), "list.sections"),
        (_list([{"rows": [{"id": "a", "title": "x" * 25}]}]), "list.sections[0].rows[0].title"),
        (
            _list([{"rows": [{"id": "a", "title": "A", "description": "x" * 73}]}]),
            "list.sections[0].rows[0].description",
        ),
        (_list([{"rows": [{"id": "x" * 201, "title": "A"}]}]), "list.sections[0].rows[0].id"),
        (_list(button="x" * 21), "list.button"),
        (_list(body="x" * 4097), "body"),
        (
            _list([{"rows": [{"id": "a", "title": "A"}]}, {"rows": [{"id": "b", "title": "B"}]}]),
            "list.sections[0].title",
        ),
        (_list([{"title": "Vazia", "rows": []}]), "list.sections[0].rows"),
    ],
    ids=[
        "eleven-rows",
        "row-title-25",
        "description-73",
        "row-id-201",
        "button-21",
        "body-4097",
        "untitled-sections",
        "empty-section",
    ],
)
def test_each_list_limit_is_a_400_naming_the_field(api_client, instance, interactive, field):
    response = post_interactive(api_client, session_on(instance), interactive)
    error = assert_error(response, 400, "validation_error")
    assert list(error["details"]) == [f"content.interactive.{field}"], error
    assert not Message.objects.exists()


def test_a_list_body_may_be_longer_than_a_buttons_body(api_client, instance):
    response = post_interactive(api_client, session_on(instance), _list(body="x" * 4096))
    assert response.status_code == 201, response.content


def test_another_organizations_session_is_a_404(other_api_client, instance):
    assert_error(post_interactive(other_api_client, session_on(instance), BUTTONS), 404)


def test_a_single_untitled_section_goes_without_a_title(api_client, organization, server):
    graph = FakeCloudApi(server)
    session = session_on(make_cloudapi_instance(organization, server))
    open_window(session)
    rows = [{"id": "a", "title": "Segunda via"}, {"id": "b", "title": "Horário"}]

    sent(api_client, session, _list([{"rows": rows}]))

    assert graph.sends[0]["interactive"]["action"] == {
        "button": "Ver opções",
        "sections": [{"rows": rows}],
    }
