"""The inbound pipeline: normalized gateway events → contacts, sessions, messages.

One webhook is one transaction: either every event it carries is stored
or none is, so a failure (and the retry) never leaves half a batch. The
webhook inbox task (``messaging.inbound.inbox``) calls it inside its own
transaction, which also marks the inbox row processed.
Within a batch each event has its own savepoint, so a duplicate only drops
itself. Idempotency comes from the database: the provider message id is
unique per instance, so a retried webhook inserts nothing new.

Here: each event to its handler, and a customer's message to its session
and turn. ``senders`` finds who sent a message, ``store`` builds and
inserts its row, ``echoes`` takes the ``fromMe`` ones (echoes of our sends,
messages typed on the business phone).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from core.logging import bind_log_context
from messaging import pipeline
from messaging.csat.survey import csat_answer_take
from messaging.inbound.echoes import echo_of_stored_message, from_me_ingest
from messaging.inbound.revisions import APPLIED, revision_apply
from messaging.inbound.senders import known_sender, sender_contact
from messaging.inbound.store import (
    Arrival,
    DuplicateMessage,
    IngestResult,
    build_message,
    message_insert,
)
from messaging.models import Author, DeliveryStatus, Direction
from messaging.outbound.sending import message_apply_status
from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    TemplateStatusEvent,
    WebhookEvent,
)
from providers.models import Instance
from providers.services import instance_connection_update, instance_qr_code_update
from providers.tasks import templates_sync_enqueue
from providers.templates.sync import template_status_apply
from sessions_app.services.lifecycle import session_open_for_inbound

logger = logging.getLogger(__name__)


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
    arrival = Arrival(received_at or timezone.now(), inbox_partition)
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
                except DuplicateMessage:
                    result.duplicates += 1
    except DuplicateMessage:
        # A lone duplicate: the whole transaction rolled back, which undoes
        # any session a retry of an old message would otherwise have opened.
        return IngestResult(duplicates=1)
    return result


def _ingest_event(
    instance: Instance, event: WebhookEvent, result: IngestResult, arrival: Arrival
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
            error_code=event.error_code,
            error_title=event.error_title,
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
    elif isinstance(event, TemplateStatusEvent):
        # The status now; the sync that follows brings a new or changed template.
        template_status_apply(instance=instance, event=event)
        templates_sync_enqueue(instance.pk)
    elif isinstance(event, IgnoredEvent):
        logger.info(
            "webhook event ignored: instance=%s event=%s reason=%s",
            instance.pk,
            event.event_type,
            event.reason,
        )
        result.ignored.append(f"{event.event_type}: {event.reason}")


def _ingest_message(
    instance: Instance, event: MessageEvent, result: IngestResult, arrival: Arrival
) -> None:
    if event.is_group and instance.ignore_groups:
        result.ignored.append("group")
        return
    if not event.phone and not event.wa_ids:
        result.ignored.append("no sender")
        return
    if event.from_me and echo_of_stored_message(instance, event, result):
        return
    if not event.from_me and not event.is_group:
        known = known_sender(instance, event)
        if known is not None:
            contact, session_id = known
            _store_customer_message(instance, contact, session_id, event, result, arrival)
            return
    contact = sender_contact(instance, event)
    if event.from_me:
        from_me_ingest(instance, contact, event, result, arrival)
        return
    _store_customer_message(instance, contact, None, event, result, arrival)


def _store_customer_message(
    instance: Instance,
    contact,
    session_id,
    event: MessageEvent,
    result: IngestResult,
    arrival: Arrival,
) -> None:
    if session_id is None:
        # No open session: the message may answer the last one's survey.
        if csat_answer_take(
            instance=instance, contact=contact, event=event, result=result, arrival=arrival
        ):
            return
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
    message_insert(message)
    bind_log_context(session_id=message.session_id, message_id=message.pk)
    # No session UPDATE here: on_customer_message's turn bookkeeping stamps
    # last_message_at (and the 24-hour window) in the statement it runs
    # anyway; one round trip less per webhook. test_webhook_ingest checks it.
    pipeline.on_customer_message(message, inbox_partition=arrival.partition)
    result.stored.append(str(message.pk))
