"""Reads for this app (see docs/STYLE.md)."""

import math
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from core.metrics import gauge
from core.timefmt import iso_utc
from integrations.models import Event
from integrations.selectors import integrations_subscribed
from sessions_app.models import ChatSession, SessionStatus, SessionTabulation

# Why a customer's turn would not go to the AI right now; the same codes are
# the 409 codes of an AI reply refused by messaging.outbound.services.
NOT_DISPATCHED_CLOSED = "session_closed"
NOT_DISPATCHED_PAUSED = "session_paused"
NOT_DISPATCHED_AI_BLOCKED = "ai_blocked"
NOT_DISPATCHED_BYPASS_BOTS = "bypass_bots"
NOT_DISPATCHED_NO_INTEGRATION = "no_integration"


def session_ai_block_active(session: ChatSession, *, now: datetime | None = None) -> bool:
    """Checked against the clock on every decision, so expiry is exact even if
    the housekeeping task that clears old blocks runs late."""
    now = now or timezone.now()
    return session.ai_blocked_until is not None and session.ai_blocked_until > now


def session_ai_refusal_reason(session: ChatSession, *, now: datetime | None = None) -> str | None:
    """Why the AI may not take part in this session now (None: it may).

    ``session.contact`` is read for bypassBots; select it with the session.
    """
    if session.status == SessionStatus.CLOSED:
        return NOT_DISPATCHED_CLOSED
    if session.status == SessionStatus.PAUSED:
        return NOT_DISPATCHED_PAUSED
    if session_ai_block_active(session, now=now):
        return NOT_DISPATCHED_AI_BLOCKED
    if session.contact.bypass_bots:
        return NOT_DISPATCHED_BYPASS_BOTS
    return None


def session_ai_status(session: ChatSession, *, now: datetime | None = None) -> dict:
    """The AI block and whether a customer turn would reach the AI right now."""
    now = now or timezone.now()
    blocked = session_ai_block_active(session, now=now)
    reason = session_ai_refusal_reason(session, now=now)
    if reason is None and not integrations_subscribed(session.organization_id, Event.TURN_READY):
        reason = NOT_DISPATCHED_NO_INTEGRATION
    until = session.ai_blocked_until if blocked else None
    return {
        "blocked": blocked,
        "blockedUntil": iso_utc(until),
        "remainingSeconds": max(0, math.ceil((until - now).total_seconds())) if until else 0,
        "reason": session.ai_block_reason if blocked else "",
        "blockedBy": session.ai_blocked_by if blocked else "",
        "wouldDispatch": reason is None,
        "notDispatchedReason": reason,
    }


# --- API reads: list and detail (they own the joins) ----------------------


def _session_tabulations_prefetch() -> Prefetch:
    return Prefetch(
        "session_tabulations",
        queryset=SessionTabulation.objects.select_related("tabulation").order_by("created_at"),
    )


def session_list(*, organization) -> QuerySet[ChatSession]:
    """Sessions of one organization with everything the API shape reads: flat query count."""
    return (
        ChatSession.objects.filter(organization=organization)
        .select_related(
            "contact",
            "instance",
            "assigned_department__business_hours",
            "assigned_agent__user",
            "organization__business_hours",
        )
        .prefetch_related(_session_tabulations_prefetch())
    )


def session_get(*, organization, session_id) -> ChatSession | None:
    return session_list(organization=organization).filter(pk=session_id).first()


def sessions_open_metrics():
    """Scrape-time gauge (core.metrics): sessions not CLOSED, per organization and status."""
    rows = (
        ChatSession.objects.exclude(status=SessionStatus.CLOSED)
        .values_list("organization_id", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    yield gauge(
        "atende_sessions_open",
        "Sessions not CLOSED, per organization and status (QUEUED, ACTIVE, PAUSED).",
        ["organization", "status"],
        rows,
    )
