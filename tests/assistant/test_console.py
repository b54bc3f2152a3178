"""The console: an AI reply's accountability on the conversation page; the assistant pages."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistant.answer import turn_answer
from assistant.models import Assistant
from tests.assistant.helpers import closed_turn
from tests.support import factories
from tests.support.console import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(organization):
    return login(factories.make_agent(organization, username="carla"))


def test_the_conversation_page_shows_what_the_reply_cost(
    agent_client, contact, bound_instance, model
):
    session = factories.make_session(contact=contact, instance=bound_instance)
    tag = factories.make_tabulation(session.organization, name="Pedido")
    model.call_tool("add_tag", {"name": tag.name})
    model.say("Seu pedido sai hoje.")
    turn_answer(turn_id=closed_turn(session, "e meu pedido?").pk)

    url = reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
    body = agent_client.get(url).content.decode()

    assert "Seu pedido sai hoje." in body
    assert "Assistant · test-model · 40 + 20 tokens" in body
    assert "tools: add_tag" in body


def test_the_assistant_pages_never_show_the_key(agent_client, assistant, other_organization):
    theirs = Assistant.objects.create(organization=other_organization, name="Theirs")

    listing = agent_client.get(reverse("admin:assistant_assistant_changelist"))
    assert listing.status_code == 200
    assert "Ana" in listing.content.decode() and "Theirs" not in listing.content.decode()
    page = agent_client.get(reverse("admin:assistant_assistant_change", args=[assistant.pk]))
    assert page.status_code == 200
    assert "sk-test-key" not in page.content.decode()
    other = agent_client.get(reverse("admin:assistant_assistant_change", args=[theirs.pk]))
    assert other.status_code == 404


def test_a_superuser_edits_an_assistant_keeping_its_key_and_adds_a_document(
    assistant, db, organization
):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = login(user)
    url = reverse("admin:assistant_assistant_change", args=[assistant.pk])
    form = {
        "organization": str(organization.pk),
        "name": "Ana 2",
        "model": "test-model",
        "base_url": assistant.base_url,
        "api_key": "",
        "system_prompt": "",
        "temperature": "0.3",
        "max_history_messages": "20",
        "max_reply_chars": "1000",
        "handoff_message": "",
        "daily_token_budget": "1000",
        "max_replies_per_hour": "30",
        "is_active": "on",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "document": SimpleUploadedFile("faq.txt", b"Entregamos em todo o Brasil.", "text/plain"),
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assistant.refresh_from_db()
    assert assistant.name == "Ana 2" and assistant.api_key == "sk-test-key"
    assert [d.filename for d in assistant.documents.all()] == ["faq.txt"]


def test_the_instance_page_offers_only_the_organizations_assistants(
    agent_client, bound_instance, assistant, other_organization
):
    Assistant.objects.create(organization=other_organization, name="Theirs")

    page = agent_client.get(
        reverse("admin:providers_instance_change", args=[bound_instance.pk])
    ).content.decode()

    assert 'name="assistant"' in page
    assert f'<option value="{assistant.pk}" selected>Ana</option>' in page
    assert "Theirs" not in page
