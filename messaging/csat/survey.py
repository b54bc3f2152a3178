"""The survey's two moments: the question when a session is closed, and the
customer's rating recorded on that closed session.

Asked (``csat_ask_after_close``, registered with
``sessions_app.services.closing``) when an agent, the AI or an integrator
closes a session in which the customer wrote in the last 24 hours, the
organization has the survey on, and it was not asked before; never after a
close by the system (an idle timeout). The question and the thanks are
SYSTEM messages sent through the gateway, shown in the timeline.

Answered (``csat_answer_take``, called by ingest where a message would open
a new session): the contact's message is a rating (``rating.py``), the
latest session of this contact on this instance is the closed one that
asked, less than 24 hours ago, and not answered yet. The message is stored
on that session, without a turn, and thanked. Anything else goes on to open
a new session as usual; after that the survey is no longer the latest
session's, so it is not answered later.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from messaging.csat.rating import csat_rating_parse
from messaging.inbound.store import Arrival, IngestResult, build_message, message_insert
from messaging.models import Author, DeliveryStatus, Direction, Message, MessageKind
from messaging.outbound.sending import outbound_enqueue
from providers.base import MessageEvent
from providers.models import Instance
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.services.csat import session_csat_asked, session_csat_record

ANSWER_WITHIN = timedelta(hours=24)
# Closes that are nobody's decision (the idle-timeout sweep) ask nothing.
UNASKED_ACTORS = frozenset({"system"})


def csat_ask_after_close(*, session: ChatSession, actor: str) -> Message | None:
    """Send the survey's question for a session just closed (in its transaction)."""
    organization = session.organization
    now = timezone.now()
    if not organization.csat_enabled or actor in UNASKED_ACTORS:
        return None
    if session.csat_asked_at is not None:
        return None
    # A session with a customer, who can still receive a free-form message.
    window = session.whatsapp_window_expires_at
    if session.last_customer_message_at is None or window is None or window <= now:
        return None
    message = _system_message_send(session, organization.csat_question)
    session_csat_asked(session=session, at=now)
    return message


def csat_answer_take(
    *,
    instance: Instance,
    contact,
    event: MessageEvent,
    result: IngestResult,
    arrival: Arrival,
) -> bool:
    """Record ``event`` as the answer to a survey and thank the customer;
    False (nothing done) when it is not one."""
    if event.kind != MessageKind.TEXT:
        return False
    parsed = csat_rating_parse(event.text)
    if parsed is None:
        return False
    session = (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(contact_id=contact.pk, instance_id=instance.pk)
        .order_by("-created_at")
        .first()
    )
    now = timezone.now()
    if (
        session is None
        or session.status != SessionStatus.CLOSED
        or session.csat_asked_at is None
        or session.csat_answered_at is not None
        or session.csat_asked_at < now - ANSWER_WITHIN
    ):
        return False
    message = build_message(
        organization_id=instance.organization_id,
        session_id=session.pk,
        contact_id=contact.pk,
        instance_id=instance.pk,
        event=event,
        direction=Direction.INBOUND,
        author=Author.CUSTOMER,
        delivery_status=DeliveryStatus.DELIVERED,
        received_at=arrival.at,
    )
    message_insert(message)
    rating, comment = parsed
    session_csat_record(session=session, rating=rating, comment=comment, at=now)
    _system_message_send(session, session.organization.csat_thanks)
    result.stored.append(str(message.pk))
    return True


def _system_message_send(session: ChatSession, text: str) -> Message:
    """A SYSTEM message to the customer of a (closed) session, sent once the
    transaction commits. Not through message_create_outbound: its rules are
    for replies in an open conversation, which refuse a closed session."""
    message = Message(
        organization_id=session.organization_id,
        session=session,
        contact_id=session.contact_id,
        instance_id=session.instance_id,
        direction=Direction.OUTBOUND,
        author=Author.SYSTEM,
        kind=MessageKind.TEXT,
        text=text,
        delivery_status=DeliveryStatus.PENDING,
        send_external=True,
    )
    message.save(force_insert=True)
    outbound_enqueue(message)
    return message
