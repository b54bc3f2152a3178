"""Automatic assignment: a conversation waiting for a person goes to the online
agent of its department with the fewest open conversations below their
capacity (ties: the one idle longest, by their last assignment).

A session waits (``waiting_since``) from the moment it needs a person until
an agent is assigned. Departments with ``autoAssign`` hand it out: at once
(``session_wait_for_person``), when an agent gains room
(``agent_room_freed``: a close, a transfer, coming online, more capacity)
and every minute (``sessions_assign_waiting``: departments that opened,
wake-ups lost with a killed process). Only during the department's
business hours.

Never two agents, never over capacity: every decision is made holding the
organization's row lock (FOR NO KEY UPDATE, which inserts referring to the
organization do not wait for), in a transaction of its own started after
the caller's commit; sessions are then locked SKIP LOCKED, so a session a
caller still holds is left for that caller's own attempt.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.business_hours import business_hours_effective, business_hours_state
from accounts.models import Agent, Availability, Department, Organization
from integrations.models import Event
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.services.events import session_event_publish, session_event_record

SYSTEM_ACTOR = "system:auto-assign"
# A wake-up assigns at most this many sessions to one agent (the sweep does the rest).
AGENT_BATCH = 50
SWEEP_BATCH = 200
OPEN = ~Q(status=SessionStatus.CLOSED)


def organization_lock(organization_id) -> None:
    """Serialize assignment decisions of one organization until the transaction ends."""
    list(
        Organization.objects.select_for_update(no_key=True)
        .filter(pk=organization_id)
        .values_list("pk", flat=True)
    )


def agent_open_sessions(agent_id) -> int:
    return ChatSession.objects.filter(OPEN, assigned_agent_id=agent_id).count()


def agent_has_room(agent: Agent) -> bool:
    limit = agent.max_concurrent_sessions
    return limit is None or agent_open_sessions(agent.pk) < limit


def _agents_with_room(department: Department) -> QuerySet[Agent]:
    return (
        Agent.objects.filter(
            organization_id=department.organization_id,
            departments=department,
            is_active=True,
            user__is_active=True,
            availability=Availability.ONLINE,
        )
        .annotate(open_count=Count("sessions", filter=~Q(sessions__status=SessionStatus.CLOSED)))
        .filter(
            Q(max_concurrent_sessions__isnull=True) | Q(open_count__lt=F("max_concurrent_sessions"))
        )
        .order_by("open_count", F("last_assigned_at").asc(nulls_first=True), "created_at")
    )


def department_open_now(department: Department) -> bool:
    hours = business_hours_effective(department.organization_id, department.pk)
    return business_hours_state(hours, timezone.now()).open


def session_assigned_publish(session: ChatSession, *, actor: str, data: dict) -> None:
    """The timeline row and ``session.assigned`` every assignment leaves; its
    sentence is rendered from ``data`` (sessions_app.event_text)."""
    row = session_event_record(session=session, code="assigned", actor=actor, data=data)
    # ``names`` is the timeline sentence's part; integrations read the ids.
    assignment = {key: value for key, value in data.items() if key != "names"}
    session_event_publish(session, Event.SESSION_ASSIGNED, row, {"assignment": assignment})


def _give(session: ChatSession, agent: Agent) -> None:
    """Assign a locked waiting session to an agent (inside the organization's lock)."""
    now = timezone.now()
    session.assigned_agent = agent
    session.waiting_since = None
    session.save(update_fields=["assigned_agent", "waiting_since", "updated_at"])
    Agent.objects.filter(pk=agent.pk).update(last_assigned_at=now)
    session_assigned_publish(
        session,
        actor=SYSTEM_ACTOR,
        data={
            "agentId": str(agent.pk),
            "departmentId": str(session.assigned_department_id),
            "automatic": True,
            "names": [str(agent)],
        },
    )


def session_wait_for_person(session: ChatSession) -> None:
    """The session needs a person: it waits (if nobody is assigned) and, after
    the caller's commit, its department may give it to an agent."""
    if session.status == SessionStatus.CLOSED or session.assigned_agent_id is not None:
        return
    ChatSession.objects.filter(
        OPEN, pk=session.pk, assigned_agent__isnull=True, waiting_since__isnull=True
    ).update(waiting_since=timezone.now())
    session_id = str(session.pk)
    transaction.on_commit(lambda: session_autoassign(session_id))


def agent_room_announce(agent_id) -> None:
    """After the caller's commit, the agent's freed slot goes to the oldest waiting session."""
    agent_id = str(agent_id)
    transaction.on_commit(lambda: agent_room_freed(agent_id))


def session_autoassign(session_id) -> Agent | None:
    """Give one waiting session to the agent with the most room, if its department
    assigns automatically, is open, and someone has room; else it keeps waiting."""
    with transaction.atomic():
        row = ChatSession.objects.filter(pk=session_id).values("organization_id").first()
        if row is None:
            return None
        organization_lock(row["organization_id"])
        session = (
            ChatSession.objects.select_for_update(of=("self",))
            .select_related("assigned_department")
            .get(pk=session_id)
        )
        department = session.assigned_department
        if (
            session.status == SessionStatus.CLOSED
            or session.assigned_agent_id is not None
            or session.waiting_since is None
            or department is None
            or not (department.auto_assign and department.is_active)
            or not department_open_now(department)
        ):
            return None
        agent = _agents_with_room(department).select_related("user").first()
        if agent is not None:
            _give(session, agent)
        return agent


def agent_room_freed(agent_id) -> int:
    """The agent may have room: give them the oldest waiting sessions of their
    open, automatically assigning departments, up to their capacity."""
    with transaction.atomic():
        organization_id = (
            Agent.objects.filter(pk=agent_id).values_list("organization_id", flat=True).first()
        )
        if organization_id is None:
            return 0
        organization_lock(organization_id)
        agent = Agent.objects.select_related("user").get(pk=agent_id)
        if not (
            agent.is_active and agent.user.is_active and agent.availability == Availability.ONLINE
        ):
            return 0
        room = AGENT_BATCH
        if agent.max_concurrent_sessions is not None:
            room = min(room, agent.max_concurrent_sessions - agent_open_sessions(agent.pk))
        if room <= 0:
            return 0
        departments = [
            d
            for d in agent.departments.filter(auto_assign=True, is_active=True)
            if department_open_now(d)
        ]
        if not departments:
            return 0
        waiting = (
            ChatSession.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                OPEN,
                assigned_department__in=departments,
                assigned_agent__isnull=True,
                waiting_since__isnull=False,
            )
            .order_by("waiting_since", "created_at")[:room]
        )
        given = 0
        for session in waiting:
            _give(session, agent)
            given += 1
        return given


def sessions_assign_waiting() -> int:
    """The sweep: the waiting sessions of the automatically assigning
    departments that are open now, oldest first (a department that opened, a
    lost wake-up). A department whose oldest waiting session found nobody
    with room is not tried again in this run."""
    waiting = ChatSession.objects.filter(
        OPEN,
        assigned_agent__isnull=True,
        waiting_since__isnull=False,
        assigned_department__auto_assign=True,
        assigned_department__is_active=True,
    )
    departments = Department.objects.filter(pk__in=waiting.values("assigned_department"))
    open_ids = [d.pk for d in departments if department_open_now(d)]
    rows = (
        waiting.filter(assigned_department__in=open_ids)
        .order_by("waiting_since")
        .values_list("pk", "assigned_department_id")[:SWEEP_BATCH]
    )
    full: set = set()
    assigned = 0
    for session_id, department_id in rows:
        if department_id in full:
            continue
        if session_autoassign(session_id) is None:
            full.add(department_id)
        else:
            assigned += 1
    return assigned
