"""Ingest on SQLite: every row takes the per-row path (no one-statement
returning-customer look-up, no batched drain), with the same results."""

import pytest

from contacts.models import Contact
from messaging.inbound.drain import PROCESSED, inbox_drain_instance
from messaging.models import Message, Turn, WebhookInbox
from sessions_app.models import ChatSession
from tests.sqlite.helpers import store, text_body

pytestmark = pytest.mark.django_db

PHONES = [f"55119876543{n:02d}" for n in range(4)]
# What ingest records for a webhook that stored one message (the batched
# path on PostgreSQL records the same).
STORED_ONE = {
    "stored": 1,
    "duplicates": 0,
    "echoes": 0,
    "statuses": 0,
    "revisions": 0,
    "ignored": 0,
    "ignoredReasons": [],
}


def test_a_returning_customer_stays_on_its_contact_and_session(evolution):
    store(evolution, text_body("W1", "oi", name="Maria"))
    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 1
    contact = Contact.objects.get()
    session = ChatSession.objects.get()

    store(evolution, text_body("W2", "tudo bem?", name="Maria"))
    store(evolution, text_body("W3", "quero um orçamento", name="Maria"))
    assert inbox_drain_instance(evolution.pk)[PROCESSED] == 2

    assert Contact.objects.get() == contact
    assert (contact.name, contact.phone) == ("Maria", "5511987654321")
    assert ChatSession.objects.get() == session
    messages = Message.objects.filter(session=session).order_by("concat_seq")
    assert [m.text for m in messages] == ["oi", "tudo bem?", "quero um orçamento"]
    turn = Turn.objects.get()
    assert (turn.messages_count, turn.last_seq) == (3, 3)
    assert {m.turn_id for m in messages} == {turn.id}


def test_a_drain_of_known_customers_ingests_each_row_with_its_result(evolution):
    for n, phone in enumerate(PHONES):
        store(evolution, text_body(f"A{n}", "oi", phone=phone))
    assert inbox_drain_instance(evolution.pk)[PROCESSED] == len(PHONES)

    batch = [store(evolution, text_body(f"B{n}", "de novo", phone=p)) for n, p in enumerate(PHONES)]
    # The same message in another body (a gateway resend), and a new customer.
    copy = store(evolution, {**text_body("B0", "de novo", phone=PHONES[0]), "date_time": "x"})
    newcomer = store(evolution, text_body("C0", "primeira vez", phone="5521999990000"))

    assert inbox_drain_instance(evolution.pk)[PROCESSED] == len(PHONES) + 2

    for row in batch + [newcomer]:
        row.refresh_from_db()
        assert row.processed_at is not None
        assert row.result == STORED_ONE
    copy.refresh_from_db()
    assert (copy.result["stored"], copy.result["duplicates"]) == (0, 1)
    assert Contact.objects.count() == len(PHONES) + 1
    assert ChatSession.objects.count() == len(PHONES) + 1
    for phone in PHONES:
        session = ChatSession.objects.get(contact__phone=phone)
        texts = Message.objects.filter(session=session).order_by("concat_seq")
        assert [m.text for m in texts] == ["oi", "de novo"]
        assert Turn.objects.get(session=session).messages_count == 2
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()
