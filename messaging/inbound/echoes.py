"""``fromMe`` messages: echoes of our own sends, and messages typed on the
business phone.

Gateways report the messages we send through their API back to us
(Evolution ``send.message``, UAZapi ``wasSentByApi``, Baileys ``append``
with status PENDING). Such an echo must update our outbound row, never
become a second message. The echo can arrive *before* the send task has
stored the provider id returned by the gateway (the gateway posts the
webhook while its HTTP answer to us is still in flight). So an unknown
``fromMe`` message is matched, in order, to:

1. the row that already has its provider id (the usual case);
2. an in-flight outbound row: same instance and contact, claimed by the
   send task (``send_attempts`` ≥ 1), no provider id yet, same kind and
   text, created in the last few minutes — it adopts the id (conditional
   UPDATE, so the send task storing the same id later is harmless);
3. otherwise, if the gateway says it came from its API, it is not ours
   (or no longer matchable): nothing is stored;
4. otherwise it was typed on the business phone: a BUSINESS message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from core.logging import bind_log_context
from messaging import pipeline
from messaging.inbound.commands import command_parse
from messaging.inbound.store import Arrival, IngestResult, build_message, message_insert
from messaging.models import Author, DeliveryStatus, Direction, Message
from messaging.outbound.sending import message_apply_status
from providers.base import MessageEvent
from providers.models import Instance
from sessions_app.models import ChatSession, SessionStatus, StartedBy
from sessions_app.services.lifecycle import session_open_for_inbound, session_reopen

logger = logging.getLogger(__name__)

ECHO_MATCH_WINDOW = timedelta(minutes=10)


def echo_of_stored_message(instance: Instance, event: MessageEvent, result: IngestResult) -> bool:
    """Whether the event echoes a row we store under its provider id
    (case 1); if so the echo confirms it."""
    known = Message.objects.filter(
        instance=instance, provider_message_id=event.provider_message_id
    ).exists()
    if known:
        # Our outbound row (or an earlier copy of this echo).
        _confirm_echo(instance, event, result)
    return known


def _confirm_echo(instance: Instance, event: MessageEvent, result: IngestResult) -> None:
    """An echo proves our send reached the gateway, which is what SENT means."""
    message_apply_status(
        instance=instance,
        provider_message_id=event.provider_message_id,
        status=DeliveryStatus.SENT,
        at=event.timestamp,
    )
    result.echoes += 1


def from_me_ingest(
    instance: Instance, contact, event: MessageEvent, result: IngestResult, arrival: Arrival
) -> None:
    """A ``fromMe`` message with no row under its provider id (cases 2-4)."""
    now = timezone.now()
    candidates = Message.objects.filter(
        instance=instance,
        contact=contact,
        direction=Direction.OUTBOUND,
        provider_message_id__isnull=True,
        delivery_status=DeliveryStatus.PENDING,
        send_external=True,
        send_attempts__gte=1,
        kind=event.kind,
        text=event.text,
        created_at__gte=now - ECHO_MATCH_WINDOW,
    ).exclude(author=Author.BUSINESS)
    candidate = candidates.order_by("created_at").only("id").first()
    if candidate is not None:
        adopted = Message.objects.filter(pk=candidate.pk, provider_message_id__isnull=True).update(
            provider_message_id=event.provider_message_id, updated_at=now
        )
        if adopted:
            _confirm_echo(instance, event, result)
            return
    if event.sent_by_api:
        logger.info(
            "echo of an API send not matched to an outbound message: instance=%s id=%s",
            instance.pk,
            event.provider_message_id,
        )
        result.ignored.append("unmatched api echo")
        return
    session = _session_to_reopen(instance, contact, event)
    if session is None:
        session, _ = session_open_for_inbound(
            contact=contact, instance=instance, started_by=StartedBy.BUSINESS
        )
    message = build_message(
        organization_id=session.organization_id,
        session_id=session.pk,
        contact_id=session.contact_id,
        instance_id=session.instance_id,
        event=event,
        direction=Direction.OUTBOUND,
        author=Author.BUSINESS,
        delivery_status=DeliveryStatus.SENT,
        received_at=arrival.at,
    )
    message.session = session
    message.sent_at = event.timestamp or now
    message_insert(message)
    bind_log_context(session_id=message.session_id, message_id=message.pk)
    _touch_session(session)
    pipeline.on_business_message(message)
    result.stored.append(str(message.pk))


def _session_to_reopen(instance: Instance, contact, event: MessageEvent):
    """``@reabrir`` typed when the conversation is closed: the latest closed
    session, reopened, so the command and what follows continue it (rather
    than opening a new session beside it). None in every other case."""
    if event.media is not None:
        return None
    command = command_parse(event.text)
    if command is None or command.name != "reabrir":
        return None
    sessions = ChatSession.objects.filter(contact=contact, instance=instance)
    if sessions.exclude(status=SessionStatus.CLOSED).exists():
        return None  # the open one is the one to act on
    closed = sessions.order_by("-closed_at", "-created_at").first()
    if closed is None:
        return None
    return session_reopen(session=closed, actor="phone", reason="@reabrir")


def _touch_session(session: ChatSession) -> None:
    # Arrival time, not the provider's timestamp: retried webhooks carry old
    # timestamps and must not move the conversation back in the list.
    now = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(last_message_at=now)
    session.last_message_at = now
