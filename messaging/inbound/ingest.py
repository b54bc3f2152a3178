"""The inbound pipeline: normalized gateway events → contacts, sessions, messages.

One webhook is one transaction: either every event it carries is stored
or none is, so a failure (and the retry) never leaves half a batch. The
webhook inbox task (``messaging.inbound.inbox``) calls it inside its own
transaction, which also marks the inbox row processed.
Within a batch each event has its own savepoint, so a duplicate only drops
itself. Idempotency comes from the database: the provider message id is
unique per instance, so a retried webhook inserts nothing new.

Echoes of our own sends
-----------------------
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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contacts.models import Contact, ContactWhatsAppId
from contacts.services import contact_get_or_create_from_inbound
from core.logging import bind_log_context
from messaging import pipeline
from messaging.inbound.commands import command_parse
from messaging.inbound.revisions import APPLIED, revision_apply
from messaging.models import Author, DeliveryStatus, Direction, Message
from messaging.outbound.sending import message_apply_status
from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    WebhookEvent,
)
from providers.models import Instance
from providers.services import instance_connection_update, instance_qr_code_update
from sessions_app.models import ChatSession, SessionStatus, StartedBy
from sessions_app.services import session_open_for_inbound, session_reopen

logger = logging.getLogger(__name__)

ECHO_MATCH_WINDOW = timedelta(minutes=10)


@dataclass
class IngestResult:
    stored: list[str] = field(default_factory=list)  # message ids created
    duplicates: int = 0
    echoes: int = 0
    statuses: int = 0
    revisions: int = 0  # edits and deletions applied
    ignored: list[str] = field(default_factory=list)  # "<event type>: <reason>"

    def as_dict(self) -> dict:
        return {
            "stored": len(self.stored),
            "duplicates": self.duplicates,
            "echoes": self.echoes,
            "statuses": self.statuses,
            "revisions": self.revisions,
            "ignored": len(self.ignored),
            "ignoredReasons": sorted(set(self.ignored)),
        }


class _Duplicate(Exception):
    """This provider message id is already stored for this instance."""


def webhook_events_ingest(
    *,
    instance: Instance,
    events: list[WebhookEvent],
    received_at=None,
    inbox_partition: int | None = None,
) -> IngestResult:
    """Store every event of one webhook, all or nothing.

    ``received_at``: when the webhook reached us (its messages' arrival
    time, which their turn's window is measured on; now if not given).
    ``inbox_partition``: the inbox partition it came through, whose drain
    its turn waits for.
    """
    result = IngestResult()
    arrival = _Arrival(received_at or timezone.now(), inbox_partition)
    several = len(events) > 1
    try:
        with transaction.atomic():
            for event in events:
                if not several:
                    _ingest_event(instance, event, result, arrival)
                    continue
                try:
                    with transaction.atomic():
                        _ingest_event(instance, event, result, arrival)
                except _Duplicate:
                    result.duplicates += 1
    except _Duplicate:
        # A lone duplicate: the whole transaction rolled back, which undoes
        # any session a retry of an old message would otherwise have opened.
        return IngestResult(duplicates=1)
    return result


@dataclass(frozen=True)
class _Arrival:
    """When and through which inbox partition a webhook arrived."""

    at: datetime
    partition: int | None


def _ingest_event(
    instance: Instance, event: WebhookEvent, result: IngestResult, arrival: _Arrival
) -> None:
    if isinstance(event, MessageEvent):
        _ingest_message(instance, event, result, arrival)
    elif isinstance(event, StatusEvent):
        if message_apply_status(
            instance=instance,
            provider_message_id=event.provider_message_id,
            status=event.status,
            error=event.error,
            at=event.timestamp,
        ):
            result.statuses += 1
    elif isinstance(event, MessageEditEvent | MessageDeleteEvent):
        outcome = revision_apply(instance=instance, event=event)
        if outcome in APPLIED:
            result.revisions += 1
        else:
            result.ignored.append(f"{type(event).__name__}: {outcome}")
    elif isinstance(event, ConnectionEvent):
        instance_connection_update(
            instance=instance,
            status=event.status,
            reason=event.reason,
            phone_number=event.phone_number,
        )
    elif isinstance(event, QrCodeEvent):
        instance_qr_code_update(
            instance=instance, qr_code=event.qr_code, pairing_code=event.pairing_code
        )
    elif isinstance(event, IgnoredEvent):
        logger.info(
            "webhook event ignored: instance=%s event=%s reason=%s",
            instance.pk,
            event.event_type,
            event.reason,
        )
        result.ignored.append(f"{event.event_type}: {event.reason}")


def _ingest_message(
    instance: Instance, event: MessageEvent, result: IngestResult, arrival: _Arrival
) -> None:
    if event.is_group and instance.ignore_groups:
        result.ignored.append("group")
        return
    if not event.phone and not event.wa_ids:
        result.ignored.append("no sender")
        return
    if event.from_me and _match_echo_by_id(instance, event, result):
        return
    if not event.from_me and not event.is_group:
        known = _known_sender(instance, event)
        if known is not None:
            contact, session_id = known
            _store_customer_message(instance, contact, session_id, event, result, arrival)
            return
    name = "" if event.from_me else event.push_name
    if event.is_group:
        name = str(event.payload.get("groupName") or "")
    contact, _ = contact_get_or_create_from_inbound(
        organization=instance.organization,
        instance=instance,
        phone=event.phone,
        wa_ids=event.wa_ids,
        name=name,
    )
    if event.from_me:
        _ingest_from_me(instance, contact, event, result, arrival)
        return
    _store_customer_message(instance, contact, None, event, result, arrival)


# Model table names only: no value is formatted into the statement.
_KNOWN_SENDER = (
    "SELECT w.contact_id, c.phone, c.name, ("  # noqa: S608
    f"  SELECT s.id FROM {ChatSession._meta.db_table} s "
    "  WHERE s.contact_id = w.contact_id AND s.instance_id = %s AND s.status <> %s LIMIT 1"
    f") FROM {ContactWhatsAppId._meta.db_table} w "
    f"JOIN {Contact._meta.db_table} c ON c.id = w.contact_id "
    "WHERE w.organization_id = %s AND w.wa_id = ANY(%s)"
)


def _known_sender(instance: Instance, event: MessageEvent):
    """(contact, open session id) in one query when nothing about the sender is new.

    The hot path: a returning customer with an open session, whose every
    WhatsApp id is already remembered. Anything else (a new id, a phone to
    adopt, a name to fill, a session to open) goes the long way, through
    contact_get_or_create_from_inbound and session_open_for_inbound. One
    plain statement: the ORM spent more building this query and its two
    model instances than PostgreSQL spent running it.
    """
    wa_ids = sorted(set(event.wa_ids))
    if not wa_ids or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _KNOWN_SENDER,
            [instance.pk, SessionStatus.CLOSED, instance.organization_id, wa_ids],
        )
        rows = cursor.fetchall()
    known = sender_unchanged(rows if len(rows) == len(wa_ids) else [None], event)
    if known is None:
        return None
    contact_id, phone, name, session_id = known
    contact = Contact(pk=contact_id, organization_id=instance.organization_id, phone=phone)
    contact.name = name
    contact._state.adding = False
    return contact, session_id


def sender_unchanged(known: list, event: MessageEvent) -> tuple | None:
    """``(contact id, phone, name, open session id)`` when every WhatsApp id
    of the event names the same known contact, which has a session open and
    nothing to learn from the event (a phone to adopt, a name to fill); None
    otherwise. ``known``: the look-up's row for each of the event's ids (None
    for an id nobody has)."""
    if not known or any(k is None for k in known) or len({k[0] for k in known}) != 1:
        return None
    contact_id, phone, name, session_id = known[0]
    if session_id is None:
        return None
    if (event.phone and phone != event.phone) or (event.push_name and not name):
        return None
    return known[0]


def _store_customer_message(
    instance: Instance,
    contact,
    session_id,
    event: MessageEvent,
    result: IngestResult,
    arrival: _Arrival,
) -> None:
    if session_id is None:
        session, _ = session_open_for_inbound(contact=contact, instance=instance)
        session_id = session.pk
    message = build_message(
        organization_id=instance.organization_id,
        session_id=session_id,
        contact_id=contact.pk,
        instance_id=instance.pk,
        event=event,
        direction=Direction.INBOUND,
        author=Author.CUSTOMER,
        delivery_status=DeliveryStatus.DELIVERED,
        received_at=arrival.at,
    )
    _insert(message)
    bind_log_context(session_id=message.session_id, message_id=message.pk)
    # No session UPDATE here: on_customer_message's turn bookkeeping stamps
    # last_message_at (and the 24-hour window) in the statement it runs
    # anyway; one round trip less per webhook. test_webhook_ingest checks it.
    pipeline.on_customer_message(message, inbox_partition=arrival.partition)
    result.stored.append(str(message.pk))


def _match_echo_by_id(instance: Instance, event: MessageEvent, result: IngestResult) -> bool:
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


def _ingest_from_me(
    instance: Instance, contact, event: MessageEvent, result: IngestResult, arrival: _Arrival
) -> None:
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
    _insert(message)
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


def build_message(
    *,
    organization_id,
    session_id,
    contact_id,
    instance_id,
    event: MessageEvent,
    direction,
    author,
    delivery_status,
    received_at=None,
) -> Message:
    """The Message row for a gateway's message event (not saved)."""
    message = Message(
        organization_id=organization_id,
        session_id=session_id,
        contact_id=contact_id,
        instance_id=instance_id,
        direction=direction,
        author=author,
        kind=event.kind,
        text=event.text,
        payload=event.payload,
        provider_message_id=event.provider_message_id,
        delivery_status=delivery_status,
        raw_payload=event.raw,
        provider_timestamp=event.timestamp,
        received_at=received_at,
    )
    if event.media is not None:
        message.media_ref = event.media.ref
        message.media_mimetype = event.media.mimetype[:120]
        message.media_filename = event.media.filename[:255]
        message.media_size = event.media.size
        message.media_duration = event.media.duration
    return message


def _insert(message: Message) -> None:
    try:
        message.save(force_insert=True)
    except IntegrityError as exc:
        if "message_provider_id_unique_per_instance" in str(exc):
            raise _Duplicate() from None
        raise


def _touch_session(session: ChatSession) -> None:
    # Arrival time, not the provider's timestamp: retried webhooks carry old
    # timestamps and must not move the conversation back in the list.
    now = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(last_message_at=now)
    session.last_message_at = now
