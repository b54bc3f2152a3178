"""A session's events: the timeline row every change leaves, and the webhook
event that announces it to integrations.

Every change that matters leaves a ``SessionEvent`` in the timeline; the
ones integrations subscribe to (status changes, AI blocks) are published
with the session as ``sessions_app.payloads`` shapes it for events.
"""

from core.timefmt import iso_utc
from integrations.deliveries import event_publish
from sessions_app.event_text import stored_event_text
from sessions_app.models import ChatSession, SessionEvent
from sessions_app.payloads import SESSION_EVENT_KEYS, session_payload


def session_event_record(
    *,
    session: ChatSession,
    code: str,
    actor: str = "system",
    data: dict | None = None,
    text: str = "",
) -> SessionEvent:
    """A timeline row; its English ``text`` is rendered from ``code`` and
    ``data`` (sessions_app.event_text), which hold every part of the sentence.
    ``text``: the sentence of a code that module does not render."""
    data = data or {}
    return SessionEvent.objects.create(
        organization_id=session.organization_id,
        session=session,
        code=code,
        text=(stored_event_text(code, data, actor) or text or code)[:500],
        actor=actor[:200],
        data=data,
    )


def session_event_publish(
    session: ChatSession, event: str, event_row: SessionEvent, extra: dict
) -> None:
    """Announce a timeline row to the subscribed integrations (once per row)."""
    event_publish(
        organization=session.organization_id,
        event=event,
        payload={
            "session": session_payload(session, keys=SESSION_EVENT_KEYS),
            "actor": event_row.actor,
            "occurredAt": iso_utc(event_row.created_at),
            **extra,
        },
        dedupe_key=str(event_row.id),
    )
