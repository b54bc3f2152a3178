"""The session list's "what changed" request: a 304 while nothing changed,
the title's count and the waiting conversations when something did."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from sessions_app.models import ChatSession
from tests.support import factories
from tests.support.console import login

pytestmark = pytest.mark.django_db

URL = "/admin/sessions_app/chatsession/changes/"


def ask(client, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(URL, headers=headers)


def customer_session(organization, instance, name, **fields):
    contact = factories.make_contact(organization, name=name)
    session = factories.make_session(
        contact=contact, instance=instance, last_message_at=timezone.now(), **fields
    )
    factories.make_message(session, text=f"Oi, sou {name}")
    return session


def test_nothing_changed_is_a_304_and_a_change_is_the_new_state(agent, organization, instance):
    client = login(agent)
    first = ask(client)
    assert first.status_code == 200
    assert first.json()["unread"] == 0 and first.json()["waiting"] == []
    etag = first["ETag"]
    unchanged = ask(client, etag)
    assert unchanged.status_code == 304 and unchanged.content == b""

    session = customer_session(organization, instance, "Maria")
    changed = ask(client, etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    body = changed.json()
    assert body["unread"] == 1
    assert body["waiting"] == [
        {
            "id": str(session.pk),
            "name": "Maria",
            "kind": "queued",
            "url": reverse("admin:sessions_app_chatsession_conversation", args=[session.pk]),
        }
    ]


def test_an_assignment_and_a_read_change_the_version(agent, organization, instance):
    client = login(agent)
    session = customer_session(organization, instance, "Maria")
    etag = ask(client)["ETag"]
    session.assigned_agent = agent
    session.status = "ACTIVE"
    session.save()
    body = ask(client, etag)
    assert body.status_code == 200
    assert [item["kind"] for item in body.json()["waiting"]] == ["assigned"]
    assert body.json()["unread"] == 1
    etag = body["ETag"]
    # Opening the conversation reads it: the count drops, the list follows.
    client.get(reverse("admin:sessions_app_chatsession_conversation", args=[session.pk]))
    after = ask(client, etag)
    assert after.status_code == 200 and after.json()["unread"] == 0


def test_the_count_is_mine_and_my_queue_only(agent, organization, instance, other_organization):
    other_agent = factories.make_agent(organization, username="bruno")
    customer_session(organization, instance, "Fila")
    customer_session(organization, instance, "Minha", assigned_agent=agent, status="ACTIVE")
    customer_session(organization, instance, "Do Bruno", assigned_agent=other_agent)
    customer_session(organization, instance, "Encerrada", assigned_agent=agent, status="CLOSED")
    theirs = factories.make_instance(other_organization)
    customer_session(other_organization, theirs, "Outra empresa")
    body = ask(login(agent)).json()
    assert sorted(item["name"] for item in body["waiting"]) == ["Fila", "Minha"]
    assert body["unread"] == 2


def test_a_department_agent_counts_their_departments_queue(organization, instance):
    sales = Department.objects.create(organization=organization, name="Vendas")
    support = Department.objects.create(organization=organization, name="Suporte")
    seller = factories.make_agent(organization, username="vera", departments=["Vendas"])
    customer_session(organization, instance, "Venda", assigned_department=sales)
    customer_session(organization, instance, "Suporte", assigned_department=support)
    customer_session(organization, instance, "Sem departamento")
    body = ask(login(seller)).json()
    assert sorted(item["name"] for item in body["waiting"]) == ["Sem departamento", "Venda"]


def test_the_list_page_carries_the_version_and_the_count(agent, organization, instance):
    customer_session(organization, instance, "Maria")
    page = login(agent).get(reverse("admin:sessions_app_chatsession_changelist"))
    body = page.content.decode()
    assert 'id="atd-inbox"' in body and 'data-unread="1"' in body
    assert "atende/console.js" in body
    version = ask(login(agent))["ETag"].strip('"')
    assert f'data-version="{version}"' in body


def test_strangers_get_nothing(client, db):
    response = client.get(URL)
    assert response.status_code == 302  # the admin's login
    assert ChatSession.objects.count() == 0
