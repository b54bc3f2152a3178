"""The console and WhatsApp's rich messages: the closed window and its template picker,
templates and buttons drawn as the customer sees them, replies, failures, the templates page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Author, Direction, Message
from messaging.outbound.rich import interactive_check, interactive_prepare
from messaging.outbound.services import message_create_outbound
from providers.models import MessageTemplate
from providers.templates.sync import templates_sync
from tests.support import factories
from tests.support.cloudapi import WABA_ID
from tests.support.console import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(cloud):
    """The shared Cloud API instance, its templates synced."""
    templates_sync(instance=cloud)
    return cloud


@pytest.fixture
def closed(organization, cloud):
    contact = factories.make_contact(organization, phone="5511987654321", name="Maria Souza")
    return factories.make_session(
        contact=contact,
        instance=cloud,
        status="ACTIVE",
        whatsapp_window_expires_at=timezone.now() - timedelta(hours=2),
    )


def page(client, session):
    url = reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_closed_window_says_so_and_offers_the_approved_templates(agent_client, closed):
    html = page(agent_client, closed)

    assert 'id="atd-window-closed"' in html
    assert "only an approved template can reach them" in html
    assert '<details class="atd-template-picker" id="atd-template-picker" open>' in html
    assert "pedido_enviado (pt_BR)" in html and "boleto (pt_BR)" in html
    assert "promo_natal" not in html  # pending
    assert "(en_US)" not in html  # rejected
    # {{1}} is the customer's first name, prefilled; the order number is the agent's to type.
    assert 'name="body_1" value="Maria"' in html
    assert 'name="body_2" value=""' in html
    assert 'name="body_first_name" value="Maria"' in html
    assert 'name="header_link" value=""' in html  # the document of "boleto"


def test_an_open_window_keeps_the_picker_folded(agent_client, closed):
    closed.__class__.objects.filter(pk=closed.pk).update(
        whatsapp_window_expires_at=timezone.now() + timedelta(hours=3)
    )
    html = page(agent_client, closed)
    assert 'id="atd-window-closed"' not in html
    assert '<details class="atd-template-picker" id="atd-template-picker">' in html


def test_the_picker_sends_the_rendered_template(agent_client, agent, closed):
    template = MessageTemplate.objects.get(name="pedido_enviado", language="pt_BR")
    url = reverse("admin:sessions_app_chatsession_action", args=[closed.pk, "send-template"])

    response = agent_client.post(
        url,
        {
            "template": str(template.pk),
            "header_text": "#4521",
            "body_1": "Maria",
            "body_2": "#4521",
            "button_1": "4521",
            "reply_key": "t1",
        },
        follow=True,
    )

    assert [m.message for m in response.context["messages"]] == ["Template sent."]
    message = Message.objects.get(session=closed)
    assert (message.kind, message.author, message.sent_by_user) == ("template", "AGENT", agent.user)
    assert message.text == "Olá Maria, seu pedido #4521 saiu para entrega."
    html = page(agent_client, closed)
    assert 'data-rich="template"' in html
    assert "Template pedido_enviado" in html and "Pedido #4521" in html
    assert "<li>Obrigado</li><li>Rastrear</li>" in html


def test_missing_variables_are_refused_in_words(agent_client, closed):
    template = MessageTemplate.objects.get(name="pedido_enviado", language="pt_BR")
    url = reverse("admin:sessions_app_chatsession_action", args=[closed.pk, "send-template"])
    response = agent_client.post(url, {"template": str(template.pk)}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Message.objects.exists()


def test_a_re_engagement_failure_is_explained_and_offers_a_template(agent_client, closed):
    factories.make_message(
        closed,
        text="Te aviso amanhã",
        direction=Direction.OUTBOUND,
        author=Author.AGENT,
        delivery_status="FAILED",
        delivery_error="131047 Re-engagement message: ...",
        delivery_error_code="131047",
        delivery_error_title="Re-engagement message",
    )
    html = page(agent_client, closed)
    assert 'data-error-code="131047"' in html
    assert "only a template can reach them now" in html
    assert 'class="atd-offer-template">Send a template</a>' in html


def test_buttons_and_the_customers_tap_read_as_on_the_phone(agent_client, cloud, closed):
    closed.__class__.objects.filter(pk=closed.pk).update(
        whatsapp_window_expires_at=timezone.now() + timedelta(hours=3)
    )
    interactive = interactive_check(
        {
            "kind": "buttons",
            "body": "Como posso ajudar?",
            "buttons": [
                {"id": "boleto", "title": "Segunda via"},
                {"id": "humano", "title": "Falar com atendente"},
            ],
        }
    )
    offer, _ = message_create_outbound(
        session=closed,
        author=Author.AI,
        actor="ai",
        rich=interactive_prepare(instance=cloud, interactive=interactive),
        send_external=False,
    )
    factories.make_message(
        closed,
        text="Segunda via",
        payload={"reply": {"id": "boleto", "title": "Segunda via", "toMessageId": str(offer.pk)}},
    )

    html = page(agent_client, closed)

    assert 'data-rich="interactive"' in html
    assert "<li>Segunda via</li><li>Falar com atendente</li>" in html
    assert "replied: Segunda via" in html


def test_the_templates_page_lists_them_with_badges_and_syncs(agent_client, cloud, graph):
    url = reverse("admin:providers_messagetemplate_changelist")
    html = agent_client.get(url).content.decode()
    assert 'data-status="APPROVED"' in html and 'data-status="PENDING"' in html
    assert 'id="atd-templates-sync"' in html

    graph.templates = graph.templates[:1]
    response = agent_client.post(
        reverse("admin:providers_messagetemplate_sync"), {"instance": str(cloud.pk)}, follow=True
    )

    assert [m.message for m in response.context["messages"]] == [
        "Cloud: 1 templates synced from Meta."
    ]
    assert MessageTemplate.objects.count() == 1
    assert len(graph.server.requests_to(f"/{WABA_ID}/message_templates")) == 4


def test_another_organizations_templates_and_instances_stay_hidden(
    other_organization, cloud, graph
):
    other = login(factories.make_agent(other_organization, username="bia"))
    html = other.get(reverse("admin:providers_messagetemplate_changelist")).content.decode()
    assert "pedido_enviado" not in html and "Cloud" not in html
    response = other.post(
        reverse("admin:providers_messagetemplate_sync"), {"instance": str(cloud.pk)}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    template = MessageTemplate.objects.first()
    change = reverse("admin:providers_messagetemplate_change", args=[template.pk])
    assert other.get(change).status_code in (302, 404)
