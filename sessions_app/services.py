"""Writes on sessions: lifecycle, AI blocking, assignment, tags.

Every change that matters leaves a SessionEvent in the timeline.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from contacts.services import tabulations_owned
from core.errors import Conflict, InvalidTransition, ValidationError
from core.timefmt import iso_utc
from integrations.deliveries import event_publish
from integrations.models import Event
from providers.models import Instance
from sessions_app.models import (
    ChatSession,
    SessionEvent,
    SessionStatus,
    SessionTabulation,
    StartedBy,
)
from sessions_app.payloads import SESSION_EVENT_KEYS, session_payload

# WhatsApp's customer-service window: free-form business messages are
# allowed for 24 hours after the customer's last message.
WHATSAPP_WINDOW = timedelta(hours=24)


def session_event_record(
    *, session: ChatSession, code: str, text: str, actor: str = "system", data: dict | None = None
) -> SessionEvent:
    return SessionEvent.objects.create(
        organization_id=session.organization_id,
        session=session,
        code=code,
        text=text[:500],
        actor=actor[:200],
        data=data or {},
    )


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


# --- lifecycle --------------------------------------------------------------

# The state machine. CLOSED -> ACTIVE is a reopen (session_reopen): allowed
# only while no other session is open for the same contact and instance.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SessionStatus.QUEUED: (SessionStatus.ACTIVE, SessionStatus.PAUSED, SessionStatus.CLOSED),
    SessionStatus.ACTIVE: (SessionStatus.PAUSED, SessionStatus.CLOSED),
    SessionStatus.PAUSED: (SessionStatus.ACTIVE, SessionStatus.CLOSED),
    SessionStatus.CLOSED: (SessionStatus.ACTIVE,),
}
AI_BLOCK_MIN_MINUTES = 1
AI_BLOCK_MAX_MINUTES = 1440


def allowed_transitions(status: str) -> list[str]:
    return [str(s) for s in ALLOWED_TRANSITIONS.get(status, ())]


def _locked(session: ChatSession) -> ChatSession:
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


def _sync(target: ChatSession, source: ChatSession) -> ChatSession:
    """Copy the saved state back onto the caller's instance (they keep using it)."""
    for field in ChatSession._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _publish(session: ChatSession, event: str, event_row: SessionEvent, extra: dict) -> None:
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


def _transition(
    session: ChatSession,
    target: str,
    *,
    actor: str,
    reason: str = "",
    text: str,
    updates: dict | None = None,
) -> ChatSession:
    with transaction.atomic():
        locked = _locked(session)
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
            text=text,
            actor=actor,
            data={"from": current, "to": target, "reason": reason},
        )
        _publish(
            locked,
            Event.SESSION_STATUS_CHANGED,
            row,
            {"from": current, "to": target, "reason": reason},
        )
    return _sync(session, locked)


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
    _check_assignees(contact.organization_id, assigned_department, assigned_agent)
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
                text=f"Session opened ({started_by.lower()}).",
                actor=actor,
                data={"startedBy": started_by},
            )
            _publish(session, Event.SESSION_STATUS_CHANGED, row, {"from": None, "to": "QUEUED"})
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
    return _transition(
        session, status, actor=actor, reason=reason, text=f"Status changed to {status}."
    )


def session_activate(*, session: ChatSession, actor: str, reason: str = "") -> ChatSession:
    """QUEUED -> ACTIVE (the first reply); a no-op for any other status."""
    if session.status != SessionStatus.QUEUED:
        return session
    try:
        return _transition(
            session, SessionStatus.ACTIVE, actor=actor, reason=reason, text="Session is active."
        )
    except InvalidTransition:
        # Someone else moved it first (another reply, a close): keep theirs.
        session.refresh_from_db()
        return session


def session_close(*, session: ChatSession, end_reason: str, actor: str) -> ChatSession:
    end_reason = (end_reason or "").strip()
    if not end_reason:
        raise ValidationError(
            _("Closing a session needs an endReason."), details={"endReason": ["Required."]}
        )
    return _transition(
        session,
        SessionStatus.CLOSED,
        actor=actor,
        reason=end_reason,
        text=f"Session closed: {end_reason}",
        updates={"end_reason": end_reason[:500], "closed_at": timezone.now()},
    )


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
        text="Session reopened.",
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
    until = f" until {iso_utc(paused_until)}" if paused_until else ""
    return _transition(
        session,
        SessionStatus.PAUSED,
        actor=actor,
        reason=reason,
        text=f"Session paused{until}." + (f" {reason}" if reason else ""),
        updates={"paused_until": paused_until, "paused_by": actor[:200]},
    )


def session_resume(*, session: ChatSession, actor: str, reason: str = "") -> ChatSession:
    return _transition(
        session, SessionStatus.ACTIVE, actor=actor, reason=reason, text="Session resumed."
    )


# --- assignment and tags -----------------------------------------------------


def _check_assignees(organization_id, department, agent) -> None:
    if department is not None and department.organization_id != organization_id:
        raise ValidationError(
            _("Department not found."), details={"assignedDepartmentId": ["Not found."]}
        )
    if agent is not None and agent.organization_id != organization_id:
        raise ValidationError(_("Agent not found."), details={"assignedAgentId": ["Not found."]})


def session_assign(*, session: ChatSession, actor: str, department=None, agent=None) -> ChatSession:
    """Assign to a department and/or an agent (None leaves that side unchanged)."""
    _check_assignees(session.organization_id, department, agent)
    if department is None and agent is None:
        raise ValidationError(_("Give a department or an agent to assign."))
    with transaction.atomic():
        locked = _locked(session)
        data = {}
        if department is not None:
            locked.assigned_department = department
            data["departmentId"] = str(department.pk)
        if agent is not None:
            locked.assigned_agent = agent
            data["agentId"] = str(agent.pk)
        locked.save(update_fields=["assigned_department", "assigned_agent", "updated_at"])
        names = " / ".join(str(x) for x in (department, agent) if x is not None)
        session_event_record(
            session=locked, code="assigned", text=f"Assigned to {names}.", actor=actor, data=data
        )
    return _sync(session, locked)


def session_tabulations_add(
    *, session: ChatSession, tabulations, actor: str, user=None
) -> ChatSession:
    """Tag a session; tags it already has are left as they are."""
    with transaction.atomic():
        for tabulation in tabulations_owned(session.organization_id, tabulations):
            try:
                with transaction.atomic():
                    SessionTabulation.objects.create(
                        session=session, tabulation=tabulation, added_by=user
                    )
            except IntegrityError:
                continue
            session_event_record(
                session=session,
                code="tag_added",
                text=f"Tag added: {tabulation.name}.",
                actor=actor,
                data={"tabulationId": str(tabulation.pk)},
            )
    return session


def session_tabulations_remove(
    *, session: ChatSession, tabulations, actor: str, user=None
) -> ChatSession:
    """Untag a session; removing a tag it does not have does nothing."""
    with transaction.atomic():
        for tabulation in tabulations_owned(session.organization_id, tabulations):
            deleted, _by_model = SessionTabulation.objects.filter(
                session=session, tabulation=tabulation
            ).delete()
            if deleted:
                session_event_record(
                    session=session,
                    code="tag_removed",
                    text=f"Tag removed: {tabulation.name}.",
                    actor=actor,
                    data={"tabulationId": str(tabulation.pk)},
                )
    return session


# --- AI blocking -------------------------------------------------------------


def _block(
    session: ChatSession, *, until, actor: str, reason: str, code: str, text: str, extend_only: bool
) -> ChatSession:
    with transaction.atomic():
        locked = _locked(session)
        if extend_only and locked.ai_blocked_until and locked.ai_blocked_until >= until:
            # A longer block (an agent's explicit one) already covers it.
            return _sync(session, locked)
        locked.ai_blocked_until = until
        locked.ai_block_reason = reason[:500]
        locked.ai_blocked_by = actor[:200]
        locked.save(
            update_fields=["ai_blocked_until", "ai_block_reason", "ai_blocked_by", "updated_at"]
        )
        row = session_event_record(
            session=locked,
            code=code,
            text=text,
            actor=actor,
            data={"until": iso_utc(until), "reason": reason},
        )
        _publish(
            locked,
            Event.SESSION_AI_BLOCKED,
            row,
            {"blocked": True, "blockedUntil": iso_utc(until), "reason": reason},
        )
    return _sync(session, locked)


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
    until = timezone.now() + timedelta(minutes=minutes)
    return _block(
        session,
        until=until,
        actor=actor,
        reason=reason,
        code="ai_blocked",
        text=f"AI blocked for {minutes} min." + (f" {reason}" if reason else ""),
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
    until = timezone.now() + timedelta(minutes=minutes)
    return _block(
        session,
        until=until,
        actor=actor,
        reason=reason,
        code="takeover",
        text=f"Human takeover: AI blocked for {minutes} min. {reason}".strip(),
        extend_only=True,
    )


def _unblock(session: ChatSession, *, actor: str, text: str, expected_until=None) -> bool:
    """Clear the block; with ``expected_until`` only if it is still that block."""
    with transaction.atomic():
        locked = _locked(session)
        if locked.ai_blocked_until is None:
            _sync(session, locked)
            return False
        if expected_until is not None and locked.ai_blocked_until != expected_until:
            _sync(session, locked)
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
            text=text,
            actor=actor,
            data={"previousUntil": iso_utc(previous)},
        )
        _publish(locked, Event.SESSION_AI_BLOCKED, row, {"blocked": False, "blockedUntil": None})
    _sync(session, locked)
    return True


def session_unblock_ai(*, session: ChatSession, actor: str) -> ChatSession:
    _unblock(session, actor=actor, text="AI unblocked.")
    return session


def session_expire_ai_block(*, session: ChatSession) -> bool:
    """Housekeeping: clear a block whose time has passed (records it)."""
    until = session.ai_blocked_until
    if until is None or until > timezone.now():
        return False
    return _unblock(session, actor="system", text="AI block expired.", expected_until=until)
