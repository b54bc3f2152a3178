"""Who a session is assigned to (department, agent) and its tags (tabulations)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from contacts.services import tabulations_owned
from core.errors import Conflict, ValidationError
from sessions_app.models import ChatSession, SessionTabulation
from sessions_app.services.autoassign import (
    agent_has_room,
    agent_room_announce,
    organization_lock,
    session_assigned_publish,
    session_wait_for_person,
)
from sessions_app.services.events import session_event_record
from sessions_app.services.locking import session_locked, session_sync


def check_assignees(organization_id, department, agent) -> None:
    if department is not None and department.organization_id != organization_id:
        raise ValidationError(
            _("Department not found."), details={"assignedDepartmentId": ["Not found."]}
        )
    if agent is not None and agent.organization_id != organization_id:
        raise ValidationError(_("Agent not found."), details={"assignedAgentId": ["Not found."]})


def session_assign(
    *, session: ChatSession, actor: str, department=None, agent=None, force: bool = False
) -> ChatSession:
    """Assign to a department and/or an agent (None leaves that side unchanged).

    An agent at their ``maxConcurrentSessions`` is refused (409
    ``agent_at_capacity``) unless ``force``. Queued to a department with
    nobody assigned, the session waits for a person (automatic assignment);
    an agent who loses it to another has room for the next one.
    """
    check_assignees(session.organization_id, department, agent)
    if department is None and agent is None:
        raise ValidationError(_("Give a department or an agent to assign."))
    with transaction.atomic():
        if agent is not None:
            # Capacity is checked and taken under the organization's lock,
            # like automatic assignment's (sessions_app.services.autoassign).
            organization_lock(session.organization_id)
        locked = session_locked(session)
        previous_agent_id = locked.assigned_agent_id
        data = {}
        if department is not None:
            locked.assigned_department = department
            data["departmentId"] = str(department.pk)
        if agent is not None:
            if agent.pk != previous_agent_id and not force and not agent_has_room(agent):
                raise Conflict(
                    _("%(agent)s already has %(limit)s open conversations.")
                    % {"agent": agent, "limit": agent.max_concurrent_sessions},
                    code="agent_at_capacity",
                    details={"maxConcurrentSessions": agent.max_concurrent_sessions},
                )
            locked.assigned_agent = agent
            locked.waiting_since = None
            data["agentId"] = str(agent.pk)
        locked.save(
            update_fields=["assigned_department", "assigned_agent", "waiting_since", "updated_at"]
        )
        data["names"] = [str(x) for x in (department, agent) if x is not None]
        session_assigned_publish(locked, actor=actor, data=data)
        if agent is None:
            session_wait_for_person(locked)
        elif previous_agent_id is not None and previous_agent_id != agent.pk:
            agent_room_announce(previous_agent_id)
    return session_sync(session, locked)


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
                actor=actor,
                data={"tabulationId": str(tabulation.pk), "tag": tabulation.name},
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
                    actor=actor,
                    data={"tabulationId": str(tabulation.pk), "tag": tabulation.name},
                )
    return session
