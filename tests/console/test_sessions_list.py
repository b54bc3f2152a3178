"""The session list: columns, badges, unread counts, shortcuts, search, order."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Author, Direction
from sessions_app.models import SessionTabulation
from tests.support import factories

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/sessions_app/chatsession/"


def rows(client, query=""):
    response = client.get(LIST_URL + query)
    assert response.status_code == 200
    return response.context["cl"].result_list


def test_it_shows_contact_status_instance_assignment_ai_preview_unread_and_tags(
    agent_client, agent, organization, instance
):
    contact = factories.make_contact(organization, phone="5511912345678", name="Joana")
    session = factories.make_session(contact=contact, instance=instance, assigned_agent=agent)
    tag = factories.make_tabulation(organization, name="urgente", background_color="#ff0000")
    session.session_tabulations.create(tabulation=tag)
    factories.make_message(session, text="first question")
    factories.make_message(session, text="are you there?")
    session.last_message_at = timezone.now()
    session.save()

    body = agent_client.get(LIST_URL).content.decode()
    assert "Joana" in body and "+55 11 91234-5678" in body
    assert 'atd-status-queued" data-status="QUEUED">Queued' in body
    assert instance.name in body
    assert "ana" in body  # the assigned agent
    assert "AI active" in body
    assert "are you there?" in body
    assert '<span class="atd-unread">2</span>' in body
    assert 'style="background:#ff0000;color:#ffffff">urgente</span>' in body


def test_the_ai_badge_says_blocked_until_local_time_or_bypass(agent_client, organization, instance):
    blocked = factories.make_session(
        contact=factories.make_contact(organization, name="Blocked"),
        instance=instance,
        ai_blocked_until=timezone.now() + timedelta(minutes=30),
    )
    factories.make_session(
        contact=factories.make_contact(organization, name="Bypass", bypass_bots=True),
        instance=instance,
    )
    body = agent_client.get(LIST_URL).content.decode()
    until = timezone.localtime(
        blocked.ai_blocked_until, timezone=__import__("zoneinfo").ZoneInfo("America/Sao_Paulo")
    ).strftime("%H:%M")
    assert f"AI blocked until {until}" in body
    assert "AI off for this contact" in body


def test_opening_the_conversation_clears_the_unread_count(agent_client, organization, chat_session):
    factories.make_message(chat_session, text="hello")
    assert rows(agent_client)[0].unread_count == 1
    url = reverse("admin:sessions_app_chatsession_conversation", args=[chat_session.pk])
    assert agent_client.get(url).status_code == 200
    chat_session.refresh_from_db()
    assert chat_session.agent_last_seen_at is not None
    assert rows(agent_client)[0].unread_count == 0
    factories.make_message(chat_session, text="one more")
    factories.make_message(
        chat_session, text="agent words", direction=Direction.OUTBOUND, author=Author.AGENT
    )
    assert rows(agent_client)[0].unread_count == 1
    assert [s.pk for s in rows(agent_client, "?unread=yes")] == [chat_session.pk]


def test_mine_and_queue_shortcuts(agent_client, agent, organization, instance):
    mine = factories.make_session(
        contact=factories.make_contact(organization), instance=instance, assigned_agent=agent
    )
    queued = factories.make_session(contact=factories.make_contact(organization), instance=instance)
    factories.make_session(
        contact=factories.make_contact(organization), instance=instance, status="CLOSED"
    )
    assert [s.pk for s in rows(agent_client, "?view=mine")] == [mine.pk]
    assert [s.pk for s in rows(agent_client, "?view=queue")] == [queued.pk]
    body = agent_client.get(LIST_URL).content.decode()
    assert 'id="atd-view-mine"' in body and 'id="atd-view-queue"' in body


def test_filters_by_status_ai_instance_agent_department_and_tag(
    agent_client, agent, organization, instance
):
    from accounts.models import Department

    department = Department.objects.create(organization=organization, name="Vendas")
    second = factories.make_instance(organization, name="Second")
    tag = factories.make_tabulation(organization, name="vip")
    a = factories.make_session(
        contact=factories.make_contact(organization),
        instance=second,
        assigned_department=department,
        assigned_agent=agent,
        status="ACTIVE",
        ai_blocked_until=timezone.now() + timedelta(minutes=5),
    )
    a.session_tabulations.create(tabulation=tag)
    b = factories.make_session(contact=factories.make_contact(organization), instance=instance)
    assert [s.pk for s in rows(agent_client, "?status__exact=ACTIVE")] == [a.pk]
    assert [s.pk for s in rows(agent_client, "?ai=blocked")] == [a.pk]
    assert [s.pk for s in rows(agent_client, "?ai=active")] == [b.pk]
    assert [s.pk for s in rows(agent_client, f"?instance={second.pk}")] == [a.pk]
    assert [s.pk for s in rows(agent_client, f"?agent={agent.pk}")] == [a.pk]
    assert [s.pk for s in rows(agent_client, "?agent=none")] == [b.pk]
    assert [s.pk for s in rows(agent_client, f"?department={department.pk}")] == [a.pk]
    assert [s.pk for s in rows(agent_client, f"?tag={tag.pk}")] == [a.pk]
    assert list(rows(agent_client, "?instance=not-a-uuid")) == []


def test_search_by_name_or_phone_as_typed(agent_client, organization, instance):
    maria = factories.make_session(
        contact=factories.make_contact(organization, phone="5531987654321", name="Maria Souza"),
        instance=instance,
    )
    factories.make_session(
        contact=factories.make_contact(organization, phone="5511900000000", name="Pedro"),
        instance=instance,
    )
    assert [s.pk for s in rows(agent_client, "?q=souza")] == [maria.pk]
    assert [s.pk for s in rows(agent_client, "?q=%2B55+31+98765-4321")] == [maria.pk]


def test_default_order_is_latest_message_first(agent_client, organization, instance):
    now = timezone.now()
    old = factories.make_session(
        contact=factories.make_contact(organization),
        instance=instance,
        last_message_at=now - timedelta(hours=2),
    )
    new = factories.make_session(
        contact=factories.make_contact(organization), instance=instance, last_message_at=now
    )
    assert [s.pk for s in rows(agent_client)] == [new.pk, old.pk]


def test_rows_link_to_the_conversation(agent_client, chat_session):
    body = agent_client.get(LIST_URL).content.decode()
    assert reverse("admin:sessions_app_chatsession_conversation", args=[chat_session.pk]) in body
    change = reverse("admin:sessions_app_chatsession_change", args=[chat_session.pk])
    response = agent_client.get(change)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{chat_session.pk}/conversation/")


def test_the_list_query_count_does_not_grow_with_rows(
    agent_client, organization, instance, django_assert_max_num_queries
):
    for _ in range(3):
        session = factories.make_session(
            contact=factories.make_contact(organization), instance=instance
        )
        session.session_tabulations.create(tabulation=factories.make_tabulation(organization))
        factories.make_message(session)
    agent_client.get(LIST_URL)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(20) as small:
        agent_client.get(LIST_URL)
    for _ in range(10):
        session = factories.make_session(
            contact=factories.make_contact(organization), instance=instance
        )
        session.session_tabulations.create(tabulation=factories.make_tabulation(organization))
        factories.make_message(session)
    with django_assert_max_num_queries(len(small.captured_queries)):
        agent_client.get(LIST_URL)


def test_a_phone_search_keeps_the_filters_applied(agent_client, organization, instance):
    tag = factories.make_tabulation(organization, name="vip")
    open_one = factories.make_session(
        contact=factories.make_contact(organization, phone="5531987654321", name="Maria"),
        instance=instance,
    )
    closed_one = factories.make_session(
        contact=factories.make_contact(organization, phone="5531987650000", name="Ana"),
        instance=instance,
        status="CLOSED",
    )
    SessionTabulation.objects.create(session=closed_one, tabulation=tag)

    assert [s.pk for s in rows(agent_client, "?status__exact=CLOSED&q=%2B55+31+98765")] == [
        closed_one.pk
    ]
    # A filter that makes the changelist distinct must not break the search.
    assert [s.pk for s in rows(agent_client, f"?tag={tag.pk}&q=%2B55+31+98765")] == [closed_one.pk]
    assert [s.pk for s in rows(agent_client, "?status__exact=QUEUED&q=%2B55+31+98765")] == [
        open_one.pk
    ]


def test_the_ai_badge_gives_the_reason_the_api_gives(organization, instance):
    from console.sessions import ai_state
    from sessions_app.selectors import session_ai_status

    # Paused, blocked and bypassing at once: dispatch says "paused" first.
    session = factories.make_session(
        contact=factories.make_contact(organization, bypass_bots=True),
        instance=instance,
        status="PAUSED",
        ai_blocked_until=timezone.now() + timedelta(minutes=30),
    )
    assert session_ai_status(session)["notDispatchedReason"] == "session_paused"
    assert ai_state(session)[0] == "paused"
