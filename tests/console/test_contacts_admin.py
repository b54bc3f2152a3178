"""Contacts: tabulations, bypassBots and their sessions."""

import pytest
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db


def test_the_contact_page_shows_tags_bypass_and_sessions_linking_to_conversations(
    agent_client, world
):
    contact = world["contact"]
    contact.contact_tabulations.create(tabulation=world["tag"])
    body = agent_client.get(
        reverse("admin:contacts_contact_change", args=[contact.pk])
    ).content.decode()
    assert 'name="bypass_bots"' in body
    assert "Acme vip" in body
    conversation = reverse(
        "admin:sessions_app_chatsession_conversation", args=[world["session"].pk]
    )
    assert conversation in body


def test_the_contact_list_shows_tag_chips_and_filters_by_tag(agent_client, organization):
    tagged = factories.make_contact(organization, name="Tagged")
    factories.make_contact(organization, name="Plain")
    tag = factories.make_tabulation(organization, name="lead", background_color="#123456")
    tagged.contact_tabulations.create(tabulation=tag)
    url = reverse("admin:contacts_contact_changelist")
    body = agent_client.get(url).content.decode()
    assert 'style="background:#123456;color:#ffffff">lead</span>' in body
    response = agent_client.get(url, {"tag": str(tag.pk)})
    assert [c.pk for c in response.context["cl"].result_list] == [tagged.pk]


def test_the_contact_page_shows_session_starts_in_the_organizations_time(agent_client, world):
    from datetime import UTC, datetime

    from sessions_app.models import ChatSession

    session = world["session"]
    ChatSession.objects.filter(pk=session.pk).update(
        started_at=datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    )
    body = agent_client.get(
        reverse("admin:contacts_contact_change", args=[world["contact"].pk])
    ).content.decode()
    assert "10/03/2026 12:30" in body  # America/Sao_Paulo, UTC-3
