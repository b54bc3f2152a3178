"""TEMPLATE messages: checked against the synced template, sent in Meta's shape, any time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Message
from messaging.outbound.sending import send_message
from providers.models import Provider
from providers.templates.sync import templates_sync
from tests.support import factories
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

SHIPPED = {
    "name": "pedido_enviado",
    "language": "pt_BR",
    "parameters": {
        "header": {"text": "#4521"},
        "body": ["Maria", "#4521"],
        "buttons": [{"index": 1, "subType": "url", "parameters": ["4521"]}],
    },
}


@pytest.fixture
def cloud(cloud):
    """The shared Cloud API instance, its templates synced."""
    templates_sync(instance=cloud)
    return cloud


@pytest.fixture
def closed_window_session(organization, cloud):
    contact = factories.make_contact(organization, phone="5511987654321", name="Maria")
    # The customer last wrote two days ago: free-form messages are refused.
    return factories.make_session(
        contact=contact,
        instance=cloud,
        status="ACTIVE",
        whatsapp_window_expires_at=timezone.now() - timedelta(days=1),
    )


def post_template(api_client, session, template):
    return api_client.post(
        "/api/v1/messages",
        {"sessionId": str(session.id), "type": "TEMPLATE", "content": {"template": template}},
        format="json",
    )


def test_a_template_goes_out_on_a_closed_window_in_metas_shape(
    api_client, closed_window_session, graph
):
    response = post_template(api_client, closed_window_session, SHIPPED)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["kind"]) == ("TEMPLATE", "template")
    # What the customer reads, variables substituted: the timeline and the AI read it too.
    assert body["content"]["text"] == "Olá Maria, seu pedido #4521 saiu para entrega."
    assert body["content"]["template"]["rendered"] == {
        "header": "Pedido #4521",
        "headerMedia": None,
        "body": "Olá Maria, seu pedido #4521 saiu para entrega.",
        "footer": "Loja Centro",
        "buttons": ["Obrigado", "Rastrear"],
    }
    send_message.apply(args=[body["id"]])

    assert graph.sends == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "5511987654321",
            "type": "template",
            "template": {
                "name": "pedido_enviado",
                "language": {"code": "pt_BR"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "#4521"}]},
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Maria"},
                            {"type": "text", "text": "#4521"},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "1",
                        "parameters": [{"type": "text", "text": "4521"}],
                    },
                ],
            },
        }
    ]
    message = Message.objects.get(pk=body["id"])
    assert (message.delivery_status, message.provider_message_id) == ("SENT", "wamid.TEST0001")


def test_a_named_template_sends_parameter_names(api_client, closed_window_session, graph):
    template = {
        "name": "lembrete_consulta",
        "language": "pt_BR",
        "parameters": {"body": {"first_name": "Maria", "date": "amanhã às 10h"}},
    }
    response = post_template(api_client, closed_window_session, template)
    assert response.json()["content"]["text"] == "Oi Maria, sua consulta é amanhã às 10h."
    send_message.apply(args=[response.json()["id"]])

    assert graph.sends[0]["template"]["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "first_name", "text": "Maria"},
                {"type": "text", "parameter_name": "date", "text": "amanhã às 10h"},
            ],
        }
    ]


def test_a_document_header_takes_its_link(api_client, closed_window_session, graph):
    template = {
        "name": "boleto",
        "language": "pt_BR",
        "parameters": {"header": {"link": "https://loja.example/b.pdf", "filename": "boleto.pdf"}},
    }
    response = post_template(api_client, closed_window_session, template)
    send_message.apply(args=[response.json()["id"]])

    assert graph.sends[0]["template"]["components"] == [
        {
            "type": "header",
            "parameters": [
                {
                    "type": "document",
                    "document": {"link": "https://loja.example/b.pdf", "filename": "boleto.pdf"},
                }
            ],
        }
    ]


def test_free_text_on_the_same_closed_window_is_still_refused(api_client, closed_window_session):
    response = api_client.post(
        "/api/v1/messages",
        {"sessionId": str(closed_window_session.id), "content": {"text": "Oi"}},
        format="json",
    )
    assert_error(response, 409, "whatsapp_window_closed")


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ({**SHIPPED, "name": "nao_existe"}, "template_not_found"),
        ({**SHIPPED, "language": "es"}, "template_not_found"),
        ({"name": "promo_natal", "language": "pt_BR"}, "template_not_approved"),
        ({**SHIPPED, "language": "en_US"}, "template_not_approved"),
    ],
    ids=["unknown-name", "unknown-language", "pending", "rejected"],
)
def test_a_template_that_cannot_be_sent_is_a_422_and_nothing_is_stored(
    api_client, closed_window_session, graph, template, code
):
    assert_error(post_template(api_client, closed_window_session, template), 422, code)
    assert not Message.objects.exists()
    assert not graph.sends


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ({**SHIPPED["parameters"], "body": ["Maria"]}, "body: a list of 2 value(s)."),
        ({**SHIPPED["parameters"], "body": {"1": "Maria", "2": "x"}}, "body: a list of 2"),
        ({**SHIPPED["parameters"], "body": ["Maria", "linha\nquebrada"]}, "body[1]"),
        ({**SHIPPED["parameters"], "header": None}, "header"),
        ({**SHIPPED["parameters"], "buttons": []}, "buttons[1]: required (url)."),
        (
            {
                **SHIPPED["parameters"],
                "buttons": [{"index": 3, "subType": "url", "parameters": ["x"]}],
            },
            "buttons: no button 3",
        ),
    ],
    ids=["too-few", "object-for-positional", "newline", "no-header", "no-url", "no-such-button"],
)
def test_wrong_parameters_are_a_422_with_the_expected_list(
    api_client, closed_window_session, parameters, problem
):
    response = post_template(
        api_client, closed_window_session, {**SHIPPED, "parameters": parameters}
    )
    error = assert_error(response, 422, "template_parameters")
    assert error["details"]["expected"]["body"] == {"variables": ["1", "2"]}
    assert any(p.startswith(problem) for p in error["details"]["problems"]), error["details"]
    assert not Message.objects.exists()


def test_named_parameters_must_name_every_variable(api_client, closed_window_session):
    template = {
        "name": "lembrete_consulta",
        "language": "pt_BR",
        "parameters": {"body": {"first_name": "Maria"}},
    }
    error = assert_error(post_template(api_client, closed_window_session, template), 422)
    assert error["details"]["expected"]["body"]["variables"] == ["first_name", "date"]


def test_a_template_to_another_gateway_is_unsupported(api_client, organization):
    instance = factories.make_instance(
        organization, provider=Provider.EVOLUTION, base_url="http://127.0.0.1:9", external_id="e"
    )
    response = api_client.post(
        "/api/v1/messages",
        {
            "instanceId": str(instance.id),
            "phone": "5511987654321",
            "type": "TEMPLATE",
            "content": {"template": SHIPPED},
        },
        format="json",
    )
    assert_error(response, 422, "unsupported_by_gateway")
    assert not Message.objects.exists()
    assert not instance.sessions.exists()


def test_a_template_starts_a_business_initiated_conversation(api_client, cloud, graph):
    response = api_client.post(
        "/api/v1/messages",
        {
            "instanceId": str(cloud.id),
            "phone": "+55 11 98765-4321",
            "type": "TEMPLATE",
            "content": {"template": SHIPPED},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["content"]["text"].startswith("Olá Maria")


def test_another_organizations_session_is_a_404(other_api_client, closed_window_session):
    assert_error(post_template(other_api_client, closed_window_session, SHIPPED), 404)
