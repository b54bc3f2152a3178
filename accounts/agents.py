"""Agents' writes: availability, capacity, departments, and the idle ones going offline.

An agent who gains room for a conversation (comes online, raises their
capacity, joins a department) is announced to the hooks registered with
``register_agent_room_hook``: automatic assignment (``sessions_app``, above
this app) registers there from its ``AppConfig.ready``, so accounts never
imports it. Hooks run after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import EllipsisType

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agent, Availability, Department
from core.errors import Unprocessable, ValidationError

AgentRoomHook = Callable[[str], None]
_room_hooks: list[AgentRoomHook] = []
# A request refreshes last_seen_at at most once a minute: one UPDATE a minute, not one per request.
LAST_SEEN_PRECISION = timedelta(minutes=1)
MAX_CONCURRENT_SESSIONS = 1000


def register_agent_room_hook(hook: AgentRoomHook) -> None:
    if hook not in _room_hooks:
        _room_hooks.append(hook)


def _announce_room(agent_id) -> None:
    for hook in _room_hooks:
        transaction.on_commit(lambda hook=hook: hook(str(agent_id)))


def agent_seen(agent: Agent) -> None:
    """A request of this agent: stamp last_seen_at (at minute precision).

    The agent is the one the request already loaded, so a stamp still fresh
    costs no query; a stale one is renewed by a conditional UPDATE, which
    concurrent requests cannot turn into more than one write.
    """
    now = timezone.now()
    cutoff = now - LAST_SEEN_PRECISION
    if agent.last_seen_at is not None and agent.last_seen_at >= cutoff:
        return
    Agent.objects.filter(pk=agent.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff)
    ).update(last_seen_at=now)
    agent.last_seen_at = now


def agent_update(
    *,
    agent: Agent,
    availability: str | None = None,
    max_concurrent_sessions: int | None | EllipsisType = ...,
    display_name: str | None = None,
    is_active: bool | None = None,
    departments: list[Department] | None = None,
) -> Agent:
    """Change what is given (``...`` leaves the capacity alone; None is unlimited)."""
    if availability is not None and availability not in Availability.values:
        raise ValidationError(
            _("availability must be online, away or offline."),
            details={"availability": ["Invalid choice."]},
        )
    capacity = max_concurrent_sessions
    if (
        capacity is not ...
        and capacity is not None
        and not 1 <= capacity <= MAX_CONCURRENT_SESSIONS
    ):
        raise ValidationError(
            _("maxConcurrentSessions must be between 1 and %(max)s, or null.")
            % {"max": MAX_CONCURRENT_SESSIONS},
            details={"maxConcurrentSessions": ["Out of range."]},
        )
    if departments is not None and any(
        d.organization_id != agent.organization_id for d in departments
    ):
        raise Unprocessable(_("Department not found."), details={"departmentIds": ["Not found."]})
    with transaction.atomic():
        locked = Agent.objects.select_for_update(no_key=True).get(pk=agent.pk)
        more_room = False
        fields = []
        if availability is not None and availability != locked.availability:
            more_room |= availability == Availability.ONLINE
            locked.availability = availability
            fields.append("availability")
            if availability == Availability.ONLINE:
                # Going online is activity: the idle sweep must not undo it at once.
                locked.last_seen_at = timezone.now()
                fields.append("last_seen_at")
        if max_concurrent_sessions is not ...:
            previous = locked.max_concurrent_sessions
            more_room |= max_concurrent_sessions is None or (
                previous is not None and max_concurrent_sessions > previous
            )
            locked.max_concurrent_sessions = max_concurrent_sessions
            fields.append("max_concurrent_sessions")
        if display_name is not None:
            locked.display_name = display_name.strip()[:150]
            fields.append("display_name")
        if is_active is not None and is_active != locked.is_active:
            more_room |= is_active
            locked.is_active = is_active
            fields.append("is_active")
        if fields:
            locked.save(update_fields=fields)
        if departments is not None:
            before = set(locked.departments.values_list("pk", flat=True))
            locked.departments.set(departments)
            more_room |= bool({d.pk for d in departments} - before)
        if more_room:
            _announce_room(locked.pk)
    return locked


def agents_idle_offline() -> int:
    """Online or away agents without a request for AGENT_IDLE_OFFLINE_MINUTES go offline."""
    cutoff = timezone.now() - timedelta(minutes=settings.AGENT_IDLE_OFFLINE_MINUTES)
    return (
        Agent.objects.exclude(availability=Availability.OFFLINE)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff))
        .update(availability=Availability.OFFLINE)
    )
