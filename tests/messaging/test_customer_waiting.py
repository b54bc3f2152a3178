"""A customer writes while the AI stays out: the conversation waits for a
person (automatic assignment) and, out of hours, the customer is told once
per closed period, through the gateway, as a SYSTEM message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.agents import agent_update
from accounts.models import Department
from accounts.services import business_hours_put
from messaging.customer_waiting import customer_waiting_handle, out_of_office_reply
from messaging.models import Author, DeliveryStatus, Message, Turn
from sessions_app.services.ai_block import session_block_ai
from tests.support import factories
from tests.support.gateways import EVOLUTION_SENT, make_instance
from tests.support.http_server import FakeHTTPServer
from tests.support.pipeline import customer_says, wait_for

SEND = "/message/sendText/atende-main"


def closed_until_a_weekday_ahead(organization, *, days: int = 3, message: str = "Fechados."):
    """Hours that are closed now: one period, ``days`` from today, 10:00–11:00 UTC."""
    weekday = (timezone.now().date() + timedelta(days=days)).weekday()
    return business_hours_put(
        organization=organization,
        timezone="UTC",
        weekly=[{"weekday": weekday, "open": "10:00", "close": "11:00"}],
        holidays=[],
        out_of_office_message=message,
        enabled=True,
    )


def skipped_turns(session) -> int:
    return Turn.objects.filter(session=session, dispatch_status="SKIPPED").count()


def out_of_office_messages(session):
    return Message.objects.filter(session=session, author=Author.SYSTEM).order_by("created_at")


@pytest.mark.worker
def test_out_of_hours_a_blocked_session_is_told_once_per_closed_period(celery_worker, organization):
    with FakeHTTPServer() as server:
        server.route("POST", SEND, lambda r: EVOLUTION_SENT)
        instance = make_instance(organization, "evolution", server)
        contact = factories.make_contact(organization, phone="5511987654321")
        session = factories.make_session(
            contact=contact, instance=instance, status="ACTIVE", concat_timeout=1
        )
        session_block_ai(session=session, minutes=60, actor="agent:ana")
        closed_until_a_weekday_ahead(organization, message="Voltamos na quinta às 10h.")

        customer_says(session, "tem alguém aí?")
        assert wait_for(lambda: len(server.requests_to(SEND)) == 1, timeout=60)
        first = out_of_office_messages(session).get()
        assert (first.text, first.direction) == ("Voltamos na quinta às 10h.", "OUTBOUND")
        assert server.requests_to(SEND)[0].json["text"] == "Voltamos na quinta às 10h."
        assert wait_for(
            lambda: Message.objects.get(pk=first.pk).delivery_status == DeliveryStatus.SENT
        )
        # Nobody is assigned: the conversation waits for a person.
        session.refresh_from_db()
        assert session.waiting_since is not None

        # The same night: nothing more.
        customer_says(session, "alô?")
        assert wait_for(lambda: skipped_turns(session) == 2, timeout=60)

        # Another closed period (the opening moved a week on): told again.
        hours = closed_until_a_weekday_ahead(organization, message="Voltamos semana que vem.")
        opening_day = timezone.now().date() + timedelta(days=3)
        hours.holidays = [{"date": opening_day.isoformat(), "name": ""}]
        hours.save()
        customer_says(session, "e agora?")
        assert wait_for(lambda: len(server.requests_to(SEND)) == 2, timeout=60)
        assert wait_for(lambda: skipped_turns(session) == 3, timeout=60)
        assert [m.text for m in out_of_office_messages(session)] == [
            "Voltamos na quinta às 10h.",
            "Voltamos semana que vem.",
        ]


def test_open_hours_or_an_answering_ai_send_nothing(organization, instance, contact):
    session = factories.make_session(contact=contact, instance=instance, status="ACTIVE")
    assert out_of_office_reply(session) is None  # no hours: always open
    business_hours_put(organization=organization, weekly=[], holidays=[], enabled=False)
    assert out_of_office_reply(session) is None
    assert not out_of_office_messages(session).exists()


def test_a_departments_own_hours_decide_the_reply(organization, instance, contact):
    plantao = Department.objects.create(organization=organization, name="Plantão")
    closed_until_a_weekday_ahead(organization)
    business_hours_put(
        organization=organization, department=plantao, weekly=[], holidays=[], enabled=False
    )
    session = factories.make_session(
        contact=contact, instance=instance, status="ACTIVE", assigned_department=plantao
    )
    assert out_of_office_reply(session) is None
    session.assigned_department = None
    session.save()
    assert out_of_office_reply(session).text == "Fechados."


def test_a_bypass_customer_writing_in_open_hours_is_assigned_without_a_reply(
    organization, instance, django_capture_on_commit_callbacks
):
    suporte = Department.objects.create(organization=organization, name="Suporte", auto_assign=True)
    ana = factories.make_agent(organization, username="ana")
    ana.departments.add(suporte)
    agent_update(agent=ana, availability="online")
    contact = factories.make_contact(organization, bypass_bots=True)
    session = factories.make_session(
        contact=contact, instance=instance, status="ACTIVE", assigned_department=suporte
    )
    with django_capture_on_commit_callbacks(execute=True):
        customer_waiting_handle(str(session.pk))
    session.refresh_from_db()
    assert session.assigned_agent == ana
    assert not out_of_office_messages(session).exists()


def test_out_of_hours_the_waiting_session_is_not_assigned(
    organization, instance, django_capture_on_commit_callbacks
):
    suporte = Department.objects.create(organization=organization, name="Suporte", auto_assign=True)
    ana = factories.make_agent(organization, username="ana")
    ana.departments.add(suporte)
    agent_update(agent=ana, availability="online")
    closed_until_a_weekday_ahead(organization)
    contact = factories.make_contact(organization, bypass_bots=True)
    session = factories.make_session(
        contact=contact, instance=instance, status="ACTIVE", assigned_department=suporte
    )
    with django_capture_on_commit_callbacks(execute=True):
        customer_waiting_handle(str(session.pk))
    session.refresh_from_db()
    assert (session.assigned_agent, session.waiting_since is not None) == (None, True)
    assert out_of_office_messages(session).count() == 1
