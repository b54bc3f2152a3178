"""Automatic assignment: by load, within capacity, oldest first, when a slot
frees, only in open hours, and never twice or over capacity when two
processes hand off at once (threads on real PostgreSQL connections)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.agents import agent_update
from accounts.models import Availability, Department
from accounts.services import business_hours_put
from integrations.models import Delivery, Integration
from sessions_app.models import ChatSession, SessionEvent
from sessions_app.services.assignment import session_assign
from sessions_app.services.autoassign import sessions_assign_waiting
from sessions_app.services.lifecycle import session_close
from tests.support import factories
from tests.support.api import assert_error


@pytest.fixture
def suporte(organization):
    return Department.objects.create(organization=organization, name="Suporte", auto_assign=True)


def agent_in(department, username, *, capacity=None, online=True):
    agent = factories.make_agent(department.organization, username=username)
    agent.departments.add(department)
    agent_update(
        agent=agent,
        availability=Availability.ONLINE if online else Availability.OFFLINE,
        max_concurrent_sessions=capacity,
    )
    agent.refresh_from_db()
    return agent


def new_session(instance, **fields):
    contact = factories.make_contact(instance.organization)
    return factories.make_session(contact=contact, instance=instance, **fields)


def refreshed(*sessions):
    for session in sessions:
        session.refresh_from_db()
    return sessions


def hand_to(session, department):
    """What an agent or the API does to queue a session: assign it to the department."""
    session_assign(session=session, actor="api:crm", department=department)
    return session


def test_the_least_loaded_online_agent_gets_it(
    suporte, instance, django_capture_on_commit_callbacks
):
    ana = agent_in(suporte, "ana")
    bruno = agent_in(suporte, "bruno")
    agent_in(suporte, "carla", online=False)
    new_session(instance, assigned_agent=ana, assigned_department=suporte)
    with django_capture_on_commit_callbacks(execute=True):
        session = hand_to(new_session(instance), suporte)
    refreshed(session)
    assert session.assigned_agent == bruno
    assert session.waiting_since is None
    row = SessionEvent.objects.filter(session=session, code="assigned").last()
    assert row.actor == "system:auto-assign"
    assert row.data == {
        "agentId": str(bruno.pk),
        "departmentId": str(suporte.pk),
        "automatic": True,
        "names": ["bruno"],
    }


def test_ties_go_to_the_agent_idle_longest(suporte, instance, django_capture_on_commit_callbacks):
    ana = agent_in(suporte, "ana")
    bruno = agent_in(suporte, "bruno")
    ana.last_assigned_at = timezone.now() - timedelta(minutes=5)
    ana.save()
    bruno.last_assigned_at = timezone.now() - timedelta(minutes=50)
    bruno.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = hand_to(new_session(instance), suporte)
        second = hand_to(new_session(instance), suporte)
    refreshed(first, second)
    assert (first.assigned_agent, second.assigned_agent) == (bruno, ana)


def test_a_department_without_auto_assign_leaves_it_queued(
    organization, instance, django_capture_on_commit_callbacks
):
    vendas = Department.objects.create(organization=organization, name="Vendas")
    agent_in(vendas, "ana")
    with django_capture_on_commit_callbacks(execute=True):
        session = hand_to(new_session(instance), vendas)
    refreshed(session)
    assert session.assigned_agent is None
    assert session.waiting_since is not None


def test_nobody_with_room_keeps_it_waiting_and_the_freed_slot_takes_the_oldest(
    suporte, instance, django_capture_on_commit_callbacks
):
    ana = agent_in(suporte, "ana", capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = hand_to(new_session(instance), suporte)
        older = hand_to(new_session(instance), suporte)
        newer = hand_to(new_session(instance), suporte)
    refreshed(first, older, newer)
    assert first.assigned_agent == ana
    assert (older.assigned_agent, newer.assigned_agent) == (None, None)
    assert older.waiting_since < newer.waiting_since

    with django_capture_on_commit_callbacks(execute=True):
        session_close(session=first, end_reason="Resolvido", actor="agent:ana")
    refreshed(older, newer)
    assert (older.assigned_agent, newer.assigned_agent) == (ana, None)


def test_a_transfer_frees_a_slot(suporte, instance, django_capture_on_commit_callbacks):
    ana = agent_in(suporte, "ana", capacity=1)
    bruno = agent_in(suporte, "bruno", capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        mine = hand_to(new_session(instance), suporte)
        theirs = hand_to(new_session(instance), suporte)
        waiting = hand_to(new_session(instance), suporte)
    refreshed(mine, theirs, waiting)
    assert {mine.assigned_agent, theirs.assigned_agent} == {ana, bruno}
    assert waiting.assigned_agent is None
    holder = mine.assigned_agent
    other = bruno if holder == ana else ana
    with django_capture_on_commit_callbacks(execute=True):
        # Transferred to a colleague who is full: forced, as a person may.
        session_assign(session=mine, actor="agent:x", agent=other, force=True)
    waiting.refresh_from_db()
    assert waiting.assigned_agent == holder


def test_coming_online_and_raising_capacity_take_waiting_sessions(
    suporte, instance, django_capture_on_commit_callbacks
):
    ana = agent_in(suporte, "ana", capacity=1, online=False)
    with django_capture_on_commit_callbacks(execute=True):
        sessions = [hand_to(new_session(instance), suporte) for _ in range(3)]
    refreshed(*sessions)
    assert all(s.assigned_agent is None for s in sessions)

    with django_capture_on_commit_callbacks(execute=True):
        agent_update(agent=ana, availability=Availability.ONLINE)
    assert [s.assigned_agent_id for s in refreshed(*sessions)] == [ana.pk, None, None]

    with django_capture_on_commit_callbacks(execute=True):
        agent_update(agent=ana, max_concurrent_sessions=3)
    assert [s.assigned_agent_id for s in refreshed(*sessions)] == [ana.pk] * 3


def test_closed_hours_keep_it_waiting_until_the_sweep_finds_them_open(
    organization, suporte, instance, django_capture_on_commit_callbacks
):
    ana = agent_in(suporte, "ana")
    business_hours_put(organization=organization, weekly=[], holidays=[], enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        session = hand_to(new_session(instance), suporte)
    refreshed(session)
    assert session.assigned_agent is None
    assert sessions_assign_waiting() == 0

    business_hours_put(organization=organization, weekly=[], holidays=[], enabled=False)
    assert sessions_assign_waiting() == 1
    session.refresh_from_db()
    assert session.assigned_agent == ana


def test_the_department_override_decides_the_hours(
    organization, suporte, instance, django_capture_on_commit_callbacks
):
    ana = agent_in(suporte, "ana")
    business_hours_put(organization=organization, weekly=[], holidays=[], enabled=True)
    business_hours_put(
        organization=organization, department=suporte, weekly=[], holidays=[], enabled=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        session = hand_to(new_session(instance), suporte)
    refreshed(session)
    assert session.assigned_agent == ana


def test_assignment_publishes_session_assigned(
    organization, suporte, instance, django_capture_on_commit_callbacks
):
    hook = Integration.objects.create(
        organization=organization,
        name="crm",
        url="http://127.0.0.1:9/hook",
        events=["session.assigned"],
    )
    ana = agent_in(suporte, "ana")
    with django_capture_on_commit_callbacks(execute=True):
        session = hand_to(new_session(instance), suporte)
    refreshed(session)
    payloads = [d.payload for d in Delivery.objects.filter(integration=hook).order_by("created_at")]
    assert [p["assignment"] for p in payloads] == [
        {"departmentId": str(suporte.pk)},
        {"agentId": str(ana.pk), "departmentId": str(suporte.pk), "automatic": True},
    ]
    assert payloads[-1]["session"]["assignedAgentId"] == str(session.assigned_agent_id)


def test_the_assign_api_respects_capacity_unless_forced(api_client, suporte, instance):
    ana = agent_in(suporte, "ana", capacity=1)
    new_session(instance, assigned_agent=ana)
    session = new_session(instance)
    url = f"/api/v1/sessions/{session.pk}/assign"
    assert_error(
        api_client.post(url, {"agentId": str(ana.pk)}, format="json"), 409, "agent_at_capacity"
    )
    session.refresh_from_db()
    assert session.assigned_agent is None
    response = api_client.post(url, {"agentId": str(ana.pk), "force": True}, format="json")
    assert response.status_code == 200
    assert response.json()["assignedAgentId"] == str(ana.pk)
    assert_error(api_client.post(url, {"agentId": str(ana.pk), "force": "x"}, format="json"), 400)


# --- real concurrency: two processes' worth of connections ------------------


def _race(calls):
    """Run each call in its own thread (its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_handoffs_never_overfill_an_agent(round_, organization, instance):
    suporte = Department.objects.create(organization=organization, name="Suporte", auto_assign=True)
    ana = agent_in(suporte, "ana", capacity=1)
    sessions = [new_session(instance) for _ in range(2)]
    _race([lambda s=s: hand_to(s, suporte) for s in sessions])
    assigned = ChatSession.objects.filter(assigned_agent=ana)
    assert assigned.count() == 1
    assert ChatSession.objects.filter(waiting_since__isnull=False).count() == 1
    assert SessionEvent.objects.filter(actor="system:auto-assign").count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_handoffs_and_a_freed_slot_share_agents_without_doubles(organization, instance):
    suporte = Department.objects.create(organization=organization, name="Suporte", auto_assign=True)
    ana = agent_in(suporte, "ana", capacity=2)
    bruno = agent_in(suporte, "bruno", capacity=1, online=False)
    sessions = [new_session(instance) for _ in range(5)]
    _race(
        [lambda s=s: hand_to(s, suporte) for s in sessions]
        + [lambda: agent_update(agent=bruno, availability=Availability.ONLINE)]
    )
    counts = {
        agent: ChatSession.objects.filter(assigned_agent=agent).count() for agent in (ana, bruno)
    }
    assert counts == {ana: 2, bruno: 1}
    # Each assigned session was assigned once.
    automatic = SessionEvent.objects.filter(actor="system:auto-assign")
    assert automatic.count() == 3
    assert len({row.session_id for row in automatic}) == 3


def test_the_timeline_reads_an_automatic_assignment_in_portuguese(
    suporte, instance, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from sessions_app.event_text import event_display_text

    agent_in(suporte, "ana")
    with django_capture_on_commit_callbacks(execute=True):
        session = hand_to(new_session(instance), suporte)
    row = SessionEvent.objects.filter(session=session, actor="system:auto-assign").get()
    assert row.text == "Assigned automatically to ana."
    with translation.override("pt-br"):
        assert event_display_text(row, session.organization) == "Atribuído automaticamente a ana."
