"""Writes on sessions: lifecycle, AI blocking, assignment, tags.

Every change that matters leaves a SessionEvent in the timeline.
"""

from django.db import IntegrityError, transaction

from contacts.models import Contact
from providers.models import Instance
from sessions_app.models import ChatSession, SessionEvent, SessionStatus, StartedBy


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


def session_open_for_inbound(*, contact: Contact, instance: Instance) -> tuple[ChatSession, bool]:
    """The open session for (contact, instance), or a new QUEUED one.

    A CLOSED session is never reopened by a customer message. Two webhooks
    racing for a new contact both end up on one session: the partial unique
    index lets only one insert win, and the loser reads the winner's row.
    """
    for _ in range(3):
        session = (
            ChatSession.objects.filter(contact=contact, instance=instance)
            .exclude(status=SessionStatus.CLOSED)
            .first()
        )
        if session is not None:
            return session, False
        try:
            with transaction.atomic():
                session = ChatSession.objects.create(
                    organization_id=contact.organization_id,
                    contact=contact,
                    instance=instance,
                    status=SessionStatus.QUEUED,
                    started_by=StartedBy.CUSTOMER,
                    concat_timeout=instance.concat_timeout,
                    assigned_department_id=instance.default_department_id,
                )
        except IntegrityError:
            continue
        session_event_record(
            session=session, code="created", text="Session opened by the customer."
        )
        return session, True
    raise RuntimeError("could not get or create an open session")  # pragma: no cover
