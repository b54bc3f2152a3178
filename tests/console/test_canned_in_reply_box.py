"""The reply box's canned responses: filled in for the session and the agent,
only the agent's departments', only their organization's."""

import pytest
from django.urls import reverse

from accounts.models import Department
from canned.services import canned_create
from tests.support import factories
from tests.support.console import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(organization):
    return Department.objects.create(organization=organization, name="Vendas")


@pytest.fixture
def session(organization, instance, sales):
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria Souza")
    return factories.make_session(contact=contact, instance=instance, assigned_department=sales)


def _codes_and_texts(client, session) -> dict:
    url = reverse("admin:sessions_app_chatsession_canned", args=[session.pk])
    response = client.get(url)
    assert response.status_code == 200
    return {item["shortCode"]: item["text"] for item in response.json()["responses"]}


def test_the_list_fills_in_the_session_and_the_agent(organization, session):
    canned_create(
        organization=organization,
        short_code="saudacao",
        content="Olá, {{contact.firstName}}! Sou {{agent.name}}, da {{organization.name}}.",
    )
    agent = factories.make_agent(organization, username="ana")
    agent.display_name = "Ana Lima"
    agent.save()
    texts = _codes_and_texts(login(agent), session)
    assert texts == {"saudacao": f"Olá, Maria! Sou Ana Lima, da {organization.name}."}


def test_a_departments_response_is_offered_to_its_agents_only(organization, session, sales):
    support = Department.objects.create(organization=organization, name="Suporte")
    canned_create(organization=organization, short_code="todos", content="Para todos")
    canned_create(organization=organization, short_code="vendas", content="V", department=sales)
    canned_create(organization=organization, short_code="suporte", content="S", department=support)
    seller = factories.make_agent(organization, username="vera", departments=["Vendas"])
    everyone = factories.make_agent(organization, username="ana")
    assert set(_codes_and_texts(login(seller), session)) == {"todos", "vendas"}
    assert set(_codes_and_texts(login(everyone), session)) == {"todos", "vendas", "suporte"}


def test_another_organizations_session_is_a_404(organization, session, other_organization):
    canned_create(organization=other_organization, short_code="deles", content="Deles")
    stranger = factories.make_agent(other_organization, username="zeca")
    url = reverse("admin:sessions_app_chatsession_canned", args=[session.pk])
    assert login(stranger).get(url).status_code == 404


def test_the_conversation_page_wires_the_reply_box(organization, session):
    agent = factories.make_agent(organization, username="ana")
    page = login(agent).get(
        reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
    )
    body = page.content.decode()
    assert reverse("admin:sessions_app_chatsession_canned", args=[session.pk]) in body
    assert 'id="atd-canned"' in body
