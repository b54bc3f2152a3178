"""A customer wrote while the AI stays out (blocked, ``bypassBots``, handed
off): the conversation waits for a person, and out of business hours the
customer is told so once per closed period.

``turn_dispatch`` calls ``customer_waits`` (registered from the app's
``ready()``) when it skips a turn; the work runs after the closing transaction commits, so it
never holds the turn's lock while it takes the session's and the
organization's (automatic assignment's order).
"""

from django.db import transaction
from django.utils import timezone

from accounts.business_hours import (
    business_hours_effective,
    business_hours_state,
    out_of_office_text,
)
from core.errors import Conflict
from messaging.models import Author
from messaging.outbound.services import message_create_outbound
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.selectors import NOT_DISPATCHED_AI_BLOCKED, NOT_DISPATCHED_BYPASS_BOTS
from sessions_app.services.autoassign import session_wait_for_person

WAITING_REASONS = (NOT_DISPATCHED_AI_BLOCKED, NOT_DISPATCHED_BYPASS_BOTS)
OUT_OF_OFFICE_ACTOR = "system:out-of-office"


def customer_waits(session: ChatSession, reason: str) -> None:
    """The turn was skipped for ``reason``: if the AI stays out, after commit the
    session waits for a person and gets the out-of-office reply when closed."""
    if reason not in WAITING_REASONS:
        return
    session_id = str(session.pk)
    transaction.on_commit(lambda: customer_waiting_handle(session_id))


def customer_waiting_handle(session_id: str) -> None:
    session = (
        ChatSession.objects.select_related("contact", "instance").filter(pk=session_id).first()
    )
    if session is None or session.status == SessionStatus.CLOSED:
        return
    session_wait_for_person(session)
    out_of_office_reply(session)


def out_of_office_reply(session: ChatSession):
    """Send the out-of-office message if the session's hours say closed.

    Once per session per closed period: the period is named by when it ends
    (``nextOpenAt``) and is the send's idempotency key, so a second message
    in the same night (or two workers at once) finds the first send.
    """
    hours = business_hours_effective(session.organization_id, session.assigned_department_id)
    state = business_hours_state(hours, timezone.now())
    if state.open:
        return None
    period = state.next_open_at.isoformat() if state.next_open_at else "until-reopened"
    try:
        message, _created = message_create_outbound(
            session=session,
            author=Author.SYSTEM,
            actor=OUT_OF_OFFICE_ACTOR,
            text=out_of_office_text(hours),
            idempotency_key=f"out-of-office:{session.pk}:{period}",
        )
    except Conflict:
        return None  # closed or outside WhatsApp's window meanwhile: nothing to tell
    return message
