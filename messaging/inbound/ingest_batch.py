"""A drain's batch ingested together: the common case in a few statements.

Under load almost every webhook is the same thing: a text from a customer
we know, in a conversation that is open. Ingested one by one, each costs a
dozen round trips (lookup, insert, session, turn, inbox row, savepoints).
Here the rows of a batch that are exactly that go together, whatever their
number: one lookup of the senders, one of the provider ids already stored,
one INSERT of the messages, the turns' few statements (``messaging.turns.arrival.turns_assign``) and
one UPDATE of the inbox rows — in one transaction.

Everything else keeps its exact per-row path (``messaging.inbound.ingest``): media
(transcription), echoes and phone-typed messages, commands, statuses, new
contacts or sessions, a name or phone to adopt, several events in a body.
A chat with any such row in the batch goes the per-row way whole, so one
chat's messages are never reordered. If the set-based transaction fails
(a constraint a concurrent run hit first, a bug), it is rolled back whole
and its rows take the per-row path, each with its own attempt accounting:
nothing is lost or silently rolled back with another row's failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Contact, ContactWhatsAppId
from core.bulk import bulk_insert_copy
from core.db import is_postgresql
from messaging import pipeline
from messaging.inbound.senders import sender_unchanged
from messaging.inbound.store import IngestResult, build_message
from messaging.models import MEDIA_KINDS, Author, DeliveryStatus, Direction, Message, WebhookInbox
from providers.base import MessageEvent
from providers.models import Instance
from sessions_app.models import ChatSession, SessionStatus

logger = logging.getLogger(__name__)


@dataclass
class ClaimedRow:
    """An inbox row a drain has claimed."""

    inbox_id: int
    received_at: datetime
    body_text: str
    events: list | None = None  # parsed by the drain


# Model table names only are formatted in; values are placeholders.
_KNOWN_SENDERS = (
    "SELECT w.wa_id, w.contact_id, c.phone, c.name, ("  # noqa: S608
    f"  SELECT s.id FROM {ChatSession._meta.db_table} s "
    "  WHERE s.contact_id = w.contact_id AND s.instance_id = %s AND s.status <> %s LIMIT 1"
    f") FROM {ContactWhatsAppId._meta.db_table} w "
    f"JOIN {Contact._meta.db_table} c ON c.id = w.contact_id "
    "WHERE w.organization_id = %s AND w.wa_id = ANY(%s)"
)

_STORED_IDS = (
    f"SELECT provider_message_id FROM {Message._meta.db_table} "  # noqa: S608
    "WHERE instance_id = %s AND provider_message_id = ANY(%s)"
)


def inbox_rows_ingest_together(
    *, instance: Instance, rows: list[ClaimedRow], partition: int | None
) -> list[ClaimedRow]:
    """Ingest the batch's plain texts of known customers with an open
    session together, marking their inbox rows processed; return the other
    rows, in arrival order, for the per-row path."""
    if not rows:
        return rows
    if not is_postgresql():
        # SQLite ingests every row the per-row way (the same result). The
        # batched path is a PostgreSQL throughput path: its look-ups are
        # ``= ANY`` of a list and it inserts with COPY (bench_spike: a drain of
        # known customers' texts in under one statement per message).
        return rows
    candidates = [row for row in rows if _plain_customer_text(row.events)]
    if not candidates:
        return rows
    senders = _known_senders(instance, candidates)
    together = _together(candidates, rows, senders)
    if not together:
        return rows
    try:
        _ingest(instance, together, senders, partition)
    except Exception:
        logger.exception(
            "ingesting %s webhook inbox rows together failed; ingesting them one by one",
            len(together),
        )
        return rows
    done = {row.inbox_id for row in together}
    return [row for row in rows if row.inbox_id not in done]


def _plain_customer_text(events) -> bool:
    if not events or len(events) != 1:
        return False
    event = events[0]
    return (
        isinstance(event, MessageEvent)
        and not event.from_me
        and not event.is_group
        and event.media is None
        and event.kind not in MEDIA_KINDS
        and bool(event.wa_ids)
        and bool(event.provider_message_id)
    )


def _known_senders(instance: Instance, rows: list[ClaimedRow]) -> dict:
    """{wa id: (contact id, phone, name, open session id or None)}."""
    wa_ids = sorted({wa_id for row in rows for wa_id in row.events[0].wa_ids})
    with connection.cursor() as cursor:
        cursor.execute(
            _KNOWN_SENDERS,
            [instance.pk, SessionStatus.CLOSED, instance.organization_id, wa_ids],
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _sender(event: MessageEvent, senders: dict):
    """(contact id, open session id) when nothing about the sender is new, else None."""
    known = sender_unchanged([senders.get(wa_id) for wa_id in set(event.wa_ids)], event)
    return None if known is None else (known[0], known[3])


def _together(candidates, rows, senders) -> list[ClaimedRow]:
    """The candidates whose chat has no per-row row in this batch."""
    known = {row.inbox_id: _sender(row.events[0], senders) for row in candidates}
    # Chats (contacts, WhatsApp ids) that have a row going the per-row way.
    held_contacts, held_wa_ids = set(), set()
    for row in rows:
        if known.get(row.inbox_id) is not None:
            continue
        for event in row.events or ():
            ids = tuple(getattr(event, "wa_ids", ()) or ())
            held_wa_ids.update(ids)
            held_wa_ids.add(getattr(event, "chat_id", "") or "")
            held_contacts.update(senders[i][0] for i in ids if i in senders)
    together = []
    for row in candidates:
        sender = known[row.inbox_id]
        event = row.events[0]
        if sender is None or sender[0] in held_contacts:
            continue
        if held_wa_ids.intersection(event.wa_ids) or event.chat_id in held_wa_ids:
            continue
        together.append(row)
    return together


def _ingest(instance: Instance, rows: list[ClaimedRow], senders: dict, partition) -> None:
    ids = [row.events[0].provider_message_id for row in rows]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_STORED_IDS, [instance.pk, ids])
            seen = {row[0] for row in cursor.fetchall()}
        messages, stored_rows, duplicate_rows = [], [], []
        for row in rows:
            event = row.events[0]
            if event.provider_message_id in seen:
                duplicate_rows.append(row.inbox_id)
                continue
            seen.add(event.provider_message_id)  # the same message twice in one batch
            contact_id, session_id = _sender(event, senders)
            messages.append(
                build_message(
                    organization_id=instance.organization_id,
                    session_id=session_id,
                    contact_id=contact_id,
                    instance_id=instance.pk,
                    event=event,
                    direction=Direction.INBOUND,
                    author=Author.CUSTOMER,
                    delivery_status=DeliveryStatus.DELIVERED,
                    received_at=row.received_at,
                )
            )
            stored_rows.append(row.inbox_id)
        # Inserted by turns_assign once their turns are known. A provider id
        # a concurrent run stored meanwhile fails the whole batch, which then
        # goes the per-row way.
        pipeline.on_customer_messages(messages, inbox_partition=partition, insert=bulk_insert_copy)
        # What the per-row path records for one stored message, or a duplicate.
        _mark_processed(stored_rows, IngestResult(stored=[""]).as_dict())
        _mark_processed(duplicate_rows, IngestResult(duplicates=1).as_dict())


def _mark_processed(inbox_ids: list[int], result: dict) -> None:
    if not inbox_ids:
        return
    marked = WebhookInbox.objects.filter(pk__in=inbox_ids, processed_at__isnull=True).update(
        processed_at=timezone.now(), claimed_at=None, last_error="", result=result
    )
    if marked != len(inbox_ids):
        # Another run processed some of them: undo this batch, go row by row.
        raise RuntimeError("webhook inbox rows processed by another run meanwhile")
