"""Who sent a gateway's message: its contact, and its open session if known.

The hot path (``known_sender``) answers in one statement for a returning
customer with nothing new to tell; every other sender goes the long way
(``sender_contact``, through ``contacts.services``).
"""

from __future__ import annotations

from django.db import connection

from contacts.models import Contact, ContactWhatsAppId
from contacts.services import contact_get_or_create_from_inbound
from core.db import is_postgresql
from providers.base import MessageEvent
from providers.models import Instance
from sessions_app.models import ChatSession, SessionStatus

# Model table names only: no value is formatted into the statement.
_KNOWN_SENDER = (
    "SELECT w.contact_id, c.phone, c.name, ("  # noqa: S608
    f"  SELECT s.id FROM {ChatSession._meta.db_table} s "
    "  WHERE s.contact_id = w.contact_id AND s.instance_id = %s AND s.status <> %s LIMIT 1"
    f") FROM {ContactWhatsAppId._meta.db_table} w "
    f"JOIN {Contact._meta.db_table} c ON c.id = w.contact_id "
    "WHERE w.organization_id = %s AND w.wa_id = ANY(%s)"
)


def known_sender(instance: Instance, event: MessageEvent):
    """(contact, open session id) in one query when nothing about the sender is new.

    The hot path: a returning customer with an open session, whose every
    WhatsApp id is already remembered. Anything else (a new id, a phone to
    adopt, a name to fill, a session to open) goes the long way, through
    contact_get_or_create_from_inbound and session_open_for_inbound. One
    plain statement: the ORM spent more building this query and its two
    model instances than PostgreSQL spent running it.
    """
    wa_ids = sorted(set(event.wa_ids))
    if not wa_ids:
        return None
    if not is_postgresql():
        # SQLite takes the long way for every message (the same result): the
        # statement is PostgreSQL's (``= ANY`` of a list), and it exists for
        # the webhook throughput measured there.
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


def sender_contact(instance: Instance, event: MessageEvent) -> Contact:
    """The sender's contact the long way: found by phone or WhatsApp id, or
    created, learning what the event tells (an id, a phone, a name). A
    group is the contact of its messages; a ``fromMe`` message's push name
    is the business's own, not the contact's."""
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
    return contact
