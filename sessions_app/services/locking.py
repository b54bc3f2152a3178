"""A session row locked for the rest of the transaction, and the caller's copy kept in step."""

from sessions_app.models import ChatSession


def session_locked(session: ChatSession) -> ChatSession:
    """Re-read the row under a lock for the rest of the transaction.

    Status changes, blocks and takeovers on one session are serialized, so
    a check (e.g. "is it PAUSED?") and the write that follows it agree.
    Only the session row (``of=self``): the joined contact and instance are
    read, not locked, or every session write would queue behind the others
    of the same instance.
    """
    return (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("contact", "instance")
        .get(pk=session.pk)
    )


def session_sync(target: ChatSession, source: ChatSession) -> ChatSession:
    """Copy the saved state back onto the caller's instance (they keep using it)."""
    for field in ChatSession._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target
