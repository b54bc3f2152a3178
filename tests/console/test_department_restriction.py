"""A department-restricted agent sees their departments' sessions plus unassigned ones."""

import pytest
from django.urls import reverse

from accounts.models import Department
from tests.support import factories
from tests.support.console import login, make_media_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(organization, instance):
    sales = Department.objects.create(organization=organization, name="Vendas")
    support = Department.objects.create(organization=organization, name="Suporte")
    agent = factories.make_agent(organization, username="vera", departments=["Vendas"])
    sessions = {}
    for key, department in (("sales", sales), ("support", support), ("none", None)):
        session = factories.make_session(
            contact=factories.make_contact(organization, name=f"{key} customer"),
            instance=instance,
            assigned_department=department,
        )
        factories.make_message(session, text=f"{key} words")
        sessions[key] = session
    return agent, sessions, support


def test_the_list_shows_own_departments_and_unassigned(setup):
    agent, sessions, _ = setup
    response = login(agent).get("/admin/sessions_app/chatsession/")
    shown = {s.pk for s in response.context["cl"].result_list}
    assert shown == {sessions["sales"].pk, sessions["none"].pk}


def test_another_departments_conversation_messages_and_media_are_404(setup):
    agent, sessions, _ = setup
    client = login(agent)
    hidden = sessions["support"]
    media = make_media_message(hidden)
    for url in [
        reverse("admin:sessions_app_chatsession_conversation", args=[hidden.pk]),
        reverse("admin:sessions_app_chatsession_poll", args=[hidden.pk]),
        reverse("admin:messaging_message_media", args=[media.pk]),
        reverse("admin:messaging_message_change", args=[media.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    url = reverse("admin:sessions_app_chatsession_action", args=[hidden.pk, "take-over"])
    assert client.post(url, {"minutes": "10"}).status_code == 404
    messages_list = client.get("/admin/messaging/message/").content.decode()
    assert "support words" not in messages_list
    assert "sales words" in messages_list


def test_the_department_filter_offers_only_own_departments(setup):
    agent, _, support = setup
    body = login(agent).get("/admin/sessions_app/chatsession/").content.decode()
    assert f"department={support.pk}" not in body


def test_an_unrestricted_agent_sees_every_department(setup, agent_client):
    _, sessions, _ = setup
    response = agent_client.get("/admin/sessions_app/chatsession/")
    assert len(response.context["cl"].result_list) == 3
