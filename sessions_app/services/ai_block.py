"""Blocking the AI in a session: an agent's block, a human takeover, their end.

While ``ai_blocked_until`` is in the future no turn goes to the AI and AI
replies are refused (``sessions_app.selectors.session_ai_refusal_reason``).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationError
from core.timefmt import iso_utc
from integrations.models import Event
from sessions_app.models import ChatSession
from sessions_app.services.events import session_event_publish, session_event_record
from sessions_app.services.locking import session_locked, session_sync

AI_BLOCK_MIN_MINUTES = 1
AI_BLOCK_MAX_MINUTES = 1440


def _block(
    session: ChatSession, *, minutes: int, actor: str, reason: str, code: str, extend_only: bool
) -> ChatSession:
    until = timezone.now() + timedelta(minutes=minutes)
    with transaction.atomic():
        locked = session_locked(session)
        if extend_only and locked.ai_blocked_until and locked.ai_blocked_until >= until:
            # A longer block (an agent's explicit one) already covers it.
            return session_sync(session, locked)
        locked.ai_blocked_until = until
        locked.ai_block_reason = reason[:500]
        locked.ai_blocked_by = actor[:200]
        locked.save(
            update_fields=["ai_blocked_until", "ai_block_reason", "ai_blocked_by", "updated_at"]
        )
        row = session_event_record(
            session=locked,
            code=code,
            actor=actor,
            data={"until": iso_utc(until), "reason": reason, "minutes": minutes},
        )
        session_event_publish(
            locked,
            Event.SESSION_AI_BLOCKED,
            row,
            {"blocked": True, "blockedUntil": iso_utc(until), "reason": reason},
        )
    return session_sync(session, locked)


def session_block_ai(
    *, session: ChatSession, minutes: int, actor: str, reason: str = ""
) -> ChatSession:
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not AI_BLOCK_MIN_MINUTES <= minutes <= AI_BLOCK_MAX_MINUTES
    ):
        raise ValidationError(
            _("durationMinutes must be a whole number from %(min)s to %(max)s.")
            % {"min": AI_BLOCK_MIN_MINUTES, "max": AI_BLOCK_MAX_MINUTES},
            details={"durationMinutes": [f"Between {AI_BLOCK_MIN_MINUTES} and 1440."]},
        )
    return _block(
        session,
        minutes=minutes,
        actor=actor,
        reason=reason,
        code="ai_blocked",
        extend_only=False,
    )


def session_takeover(
    *, session: ChatSession, actor: str, reason: str, minutes: int | None = None
) -> ChatSession:
    """A human spoke in the conversation: block the AI for the takeover time.

    Never shortens a longer block already in place.
    """
    if minutes is None:
        minutes = session.instance.takeover_minutes
    return _block(
        session,
        minutes=minutes,
        actor=actor,
        reason=reason,
        code="takeover",
        extend_only=True,
    )


def _unblock(session: ChatSession, *, actor: str, expired: bool, expected_until=None) -> bool:
    """Clear the block; with ``expected_until`` only if it is still that block."""
    with transaction.atomic():
        locked = session_locked(session)
        if locked.ai_blocked_until is None:
            session_sync(session, locked)
            return False
        if expected_until is not None and locked.ai_blocked_until != expected_until:
            session_sync(session, locked)
            return False
        previous = locked.ai_blocked_until
        locked.ai_blocked_until = None
        locked.ai_block_reason = ""
        locked.ai_blocked_by = ""
        locked.save(
            update_fields=["ai_blocked_until", "ai_block_reason", "ai_blocked_by", "updated_at"]
        )
        row = session_event_record(
            session=locked,
            code="ai_unblocked",
            actor=actor,
            data={"previousUntil": iso_utc(previous), "expired": expired},
        )
        session_event_publish(
            locked, Event.SESSION_AI_BLOCKED, row, {"blocked": False, "blockedUntil": None}
        )
    session_sync(session, locked)
    return True


def session_unblock_ai(*, session: ChatSession, actor: str) -> ChatSession:
    _unblock(session, actor=actor, expired=False)
    return session


def session_expire_ai_block(*, session: ChatSession) -> bool:
    """Housekeeping: clear a block whose time has passed (records it)."""
    until = session.ai_blocked_until
    if until is None or until > timezone.now():
        return False
    return _unblock(session, actor="system", expired=True, expected_until=until)
