"""A session's lifecycle: opened, activated, paused, resumed, closed, reopened.

The state machine is ``ALLOWED_TRANSITIONS``; every change is made under the
row's lock and leaves a ``status_changed`` event (timeline and webhook).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from core.errors import Conflict, InvalidTransition, ValidationError
from core.timefmt import iso_utc
from integrations.models import Event
from providers.models import Instance
from sessions_app.models import ChatSession, SessionStatus, StartedBy
from sessions_app.services.assignment import check_assignees
from sessions_app.services.autoassign import agent_room_announce
from sessions_app.services.closing import session_closed_notify
from sessions_app.services.events import session_event_publish, session_event_record
from sessions_app.services.locking import session_locked, session_sync


def session_open_for_inbound(
    *,
    contact: Contact,
    instance: Instance,
    started_by: str = StartedBy.CUSTOMER,
    actor: str | None = None,
) -> tuple[ChatSession, bool]:
    """The open session for (contact, instance), or a new QUEUED one.

    ``started_by`` is CUSTOMER for a customer's message, BUSINESS for one
    typed on the business phone or sent by an integrator to a contact with
    no open session. A CLOSED session is never reopened by a message. Two
    callers racing for a new contact both end up on one session: the
    partial unique index lets only one insert win (session_create's
    Conflict), and the loser reads the winner's row.
    """
    if actor is None:
        actor = "phone" if started_by == StartedBy.BUSINESS else "system"
    for _attempt in range(3):
        session = (
            ChatSession.objects.filter(contact=contact, instance=instance)
            .exclude(status=SessionStatus.CLOSED)
            .first()
        )
        if session is not None:
            return session, False
        try:
            return session_create(
                contact=contact, instance=instance, actor=actor, started_by=started_by
            ), True
        except Conflict:
            continue
    raise RuntimeError("could not get or create an open session")  # pragma: no cover


# The state machine. CLOSED -> ACTIVE is a reopen (session_reopen): allowed
# only while no other session is open for the same contact and instance.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SessionStatus.QUEUED: (SessionStatus.ACTIVE, SessionStatus.PAUSED, SessionStatus.CLOSED),
    SessionStatus.ACTIVE: (SessionStatus.PAUSED, SessionStatus.CLOSED),
    SessionStatus.PAUSED: (SessionStatus.ACTIVE, SessionStatus.CLOSED),
    SessionStatus.CLOSED: (SessionStatus.ACTIVE,),
}


def allowed_transitions(status: str) -> list[str]:
    return [str(s) for s in ALLOWED_TRANSITIONS.get(status, ())]


def _transition(
    session: ChatSession,
    target: str,
    *,
    actor: str,
    reason: str = "",
    updates: dict | None = None,
    event_data: dict | None = None,
) -> ChatSession:
    with transaction.atomic():
        locked = session_locked(session)
        current = locked.status
        if target not in ALLOWED_TRANSITIONS.get(current, ()):
            raise InvalidTransition(current, target, allowed_transitions(current))
        locked.status = target
        locked.status_reason = reason[:500]
        for key, value in (updates or {}).items():
            setattr(locked, key, value)
        if target != SessionStatus.PAUSED:
            locked.paused_until = None
            locked.paused_by = ""
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            # Only CLOSED -> ACTIVE can hit the one-open-session index.
            other = (
                ChatSession.objects.filter(
                    contact_id=locked.contact_id, instance_id=locked.instance_id
                )
                .exclude(status=SessionStatus.CLOSED)
                .values_list("pk", flat=True)
                .first()
            )
            raise Conflict(
                _("Another session is open for this contact on this instance."),
                code="session_already_open",
                details={"sessionId": str(other) if other else None},
            ) from None
        row = session_event_record(
            session=locked,
            code="status_changed",
            actor=actor,
            data={"from": current, "to": target, "reason": reason, **(event_data or {})},
        )
        session_event_publish(
            locked,
            Event.SESSION_STATUS_CHANGED,
            row,
            {"from": current, "to": target, "reason": reason},
        )
    return session_sync(session, locked)


def session_create(
    *,
    contact: Contact,
    instance: Instance,
    actor: str,
    started_by: str = StartedBy.BUSINESS,
    external_id: str = "",
    assigned_department=None,
    assigned_agent=None,
) -> ChatSession:
    """A new QUEUED session (business-initiated by default; session_open_for_inbound
    uses it for customer-started ones too); 409 when one is already open."""
    if contact.organization_id != instance.organization_id:
        raise ValidationError(
            _("Contact and instance belong to different organizations."),
            details={"instanceId": ["Not found."]},
        )
    if started_by not in (StartedBy.BUSINESS, StartedBy.AGENT, StartedBy.CUSTOMER):
        raise ValidationError(
            _("startedBy must be BUSINESS, AGENT or CUSTOMER."),
            details={"startedBy": ["Invalid choice."]},
        )
    check_assignees(contact.organization_id, assigned_department, assigned_agent)
    try:
        with transaction.atomic():
            session = ChatSession.objects.create(
                organization_id=contact.organization_id,
                contact=contact,
                instance=instance,
                status=SessionStatus.QUEUED,
                started_by=started_by,
                external_id=external_id or "",
                concat_timeout=instance.concat_timeout,
                # The id, not the row: no query for the instance's default.
                assigned_department_id=(
                    assigned_department.pk
                    if assigned_department
                    else instance.default_department_id
                ),
                assigned_agent=assigned_agent,
                last_message_at=timezone.now(),
            )
            row = session_event_record(
                session=session,
                code="created",
                actor=actor,
                data={"startedBy": started_by},
            )
            session_event_publish(
                session, Event.SESSION_STATUS_CHANGED, row, {"from": None, "to": "QUEUED"}
            )
    except IntegrityError:
        other = (
            ChatSession.objects.filter(contact=contact, instance=instance)
            .exclude(status=SessionStatus.CLOSED)
            .values_list("pk", flat=True)
            .first()
        )
        raise Conflict(
            _("A session is already open for this contact on this instance."),
            code="session_already_open",
            details={"sessionId": str(other) if other else None},
        ) from None
    return session


def session_change_status(
    *, session: ChatSession, status: str, actor: str, reason: str = ""
) -> ChatSession:
    """Move a session to ``status`` through the matching service (one rule set)."""
    if status not in SessionStatus.values:
        raise ValidationError(
            _("Unknown status %(status)r.") % {"status": status},
            details={"status": [f"Allowed: {', '.join(SessionStatus.values)}."]},
        )
    current = session.status
    # The transition is checked before its arguments: CLOSED -> CLOSED is a
    # 409 listing what is allowed, not a complaint about a missing reason.
    if status not in ALLOWED_TRANSITIONS.get(current, ()):
        raise InvalidTransition(current, status, allowed_transitions(current))
    if status == SessionStatus.CLOSED:
        return session_close(session=session, end_reason=reason, actor=actor)
    if status == SessionStatus.PAUSED:
        return session_pause(session=session, actor=actor, reason=reason)
    if status == SessionStatus.ACTIVE and current == SessionStatus.CLOSED:
        return session_reopen(session=session, actor=actor, reason=reason)
    if status == SessionStatus.ACTIVE and current == SessionStatus.PAUSED:
        return session_resume(session=session, actor=actor, reason=reason)
    return _transition(session, status, actor=actor, reason=reason)


def session_activate(*, session: ChatSession, actor: str, reason: str = "") -> ChatSession:
    """QUEUED -> ACTIVE (the first reply); a no-op for any other status."""
    if session.status != SessionStatus.QUEUED:
        return session
    try:
        return _transition(
            session,
            SessionStatus.ACTIVE,
            actor=actor,
            reason=reason,
            event_data={"activated": True},
        )
    except InvalidTransition:
        # Someone else moved it first (another reply, a close): keep theirs.
        session.refresh_from_db()
        return session


def session_close(*, session: ChatSession, end_reason: str, actor: str) -> ChatSession:
    """Close; what the apps above registered (the satisfaction survey) runs
    in the same transaction (sessions_app.services.closing)."""
    end_reason = (end_reason or "").strip()
    if not end_reason:
        raise ValidationError(
            _("Closing a session needs an endReason."), details={"endReason": ["Required."]}
        )
    with transaction.atomic():
        closed = _transition(
            session,
            SessionStatus.CLOSED,
            actor=actor,
            reason=end_reason,
            updates={
                "end_reason": end_reason[:500],
                "closed_at": timezone.now(),
                "waiting_since": None,
            },
        )
        session_closed_notify(session=closed, actor=actor)
    if closed.assigned_agent_id is not None:
        agent_room_announce(closed.assigned_agent_id)
    return closed


def session_reopen(*, session: ChatSession, actor: str, reason: str = "") -> ChatSession:
    """CLOSED -> ACTIVE, unless another session is open for the contact+instance.

    That rule is the one-open-session index's: _transition turns its
    IntegrityError into the ``session_already_open`` Conflict (a check made
    here before the lock would race and cost a query).
    """
    return _transition(
        session,
        SessionStatus.ACTIVE,
        actor=actor,
        reason=reason,
        updates={"closed_at": None, "end_reason": ""},
    )


def session_pause(
    *, session: ChatSession, actor: str, paused_until=None, reason: str = ""
) -> ChatSession:
    """Pause (no AI turns); with ``paused_until`` housekeeping resumes it then."""
    now = timezone.now()
    if paused_until is not None and paused_until <= now:
        raise ValidationError(
            _("pausedUntil must be in the future."),
            details={"pausedUntil": ["Must be in the future."]},
        )
    return _transition(
        session,
        SessionStatus.PAUSED,
        actor=actor,
        reason=reason,
        updates={"paused_until": paused_until, "paused_by": actor[:200]},
        event_data={"until": iso_utc(paused_until)} if paused_until else None,
    )


def session_resume(*, session: ChatSession, actor: str, reason: str = "") -> ChatSession:
    return _transition(session, SessionStatus.ACTIVE, actor=actor, reason=reason)
