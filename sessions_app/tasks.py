"""Celery tasks for this app: thin, idempotent, ids in and out.

Housekeeping (scheduled in config/schedules.py): expired AI blocks, idle
sessions, timed pauses. Each run handles a bounded batch; the next run
picks up the rest.
"""

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organization
from core.errors import DomainError
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.services.ai_block import session_expire_ai_block
from sessions_app.services.autoassign import sessions_assign_waiting
from sessions_app.services.lifecycle import session_close, session_resume

BATCH = 500


@shared_task(
    name="sessions_app.tasks.sessions_expire_ai_blocks",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=110,
)
def sessions_expire_ai_blocks() -> int:
    """Every minute: clear blocks whose time has passed and record it.

    Decisions never wait for this (they compare aiBlockedUntil with the
    clock); it keeps the timeline and the filters honest.
    """
    cleared = 0
    sessions = ChatSession.objects.filter(ai_blocked_until__lte=timezone.now()).order_by(
        "ai_blocked_until"
    )[:BATCH]
    for session in sessions:
        cleared += session_expire_ai_block(session=session)
    return cleared


@shared_task(
    name="sessions_app.tasks.sessions_close_idle",
    ignore_result=True,
    time_limit=300,
    soft_time_limit=280,
)
def sessions_close_idle() -> int:
    """Close QUEUED/ACTIVE sessions idle longer than their organization's timeout."""
    now = timezone.now()
    closed = 0
    hours_values = (
        Organization.objects.filter(session_timeout_hours__gt=0)
        .values_list("session_timeout_hours", flat=True)
        .distinct()
    )
    for hours in hours_values:
        idle = (
            ChatSession.objects.filter(
                organization__session_timeout_hours=hours,
                status__in=[SessionStatus.QUEUED, SessionStatus.ACTIVE],
            )
            .annotate(last_activity=Coalesce("last_message_at", "started_at"))
            .filter(last_activity__lte=now - timedelta(hours=hours))
            .order_by("last_activity")[:BATCH]
        )
        for session in idle:
            try:
                session_close(
                    session=session,
                    end_reason=f"Encerrada automaticamente por inatividade ({hours}h)",
                    actor="system",
                )
            except DomainError:
                continue  # changed meanwhile (closed by an agent): nothing to do
            closed += 1
    return closed


@shared_task(
    name="sessions_app.tasks.sessions_resume_paused",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=110,
)
def sessions_resume_paused() -> int:
    """Resume PAUSED sessions whose pausedUntil has passed."""
    resumed = 0
    due = ChatSession.objects.filter(
        Q(status=SessionStatus.PAUSED), paused_until__lte=timezone.now()
    ).order_by("paused_until")[:BATCH]
    for session in due:
        try:
            session_resume(session=session, actor="system", reason="Pause time is over.")
        except DomainError:
            continue
        resumed += 1
    return resumed


@shared_task(
    name="sessions_app.tasks.sessions_assign_waiting",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=110,
)
def sessions_assign_waiting_task() -> int:
    """Every minute: waiting sessions of automatically assigning departments get
    an agent if one has room now (a department that opened, a lost wake-up)."""
    return sessions_assign_waiting()
