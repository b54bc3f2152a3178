"""Edits and deletions on SQLite: a message still in an open turn moves the
session's sequence and its turn's, one whose turn has closed moves nothing."""

import pytest

from messaging.inbound.ingest import webhook_events_ingest
from messaging.models import Message, MessageKind, Turn
from messaging.turns.close import turn_close_due
from providers.base import MessageDeleteEvent, MessageEditEvent, MessageEvent
from sessions_app.models import ChatSession

pytestmark = pytest.mark.django_db


def said(provider_id: str, text: str) -> MessageEvent:
    return MessageEvent(
        provider_message_id=provider_id,
        from_me=False,
        chat_id="5511987654321@s.whatsapp.net",
        phone="5511987654321",
        wa_ids=("5511987654321@s.whatsapp.net",),
        kind=MessageKind.TEXT,
        text=text,
        push_name="Maria",
    )


def ingest(instance, *events):
    return webhook_events_ingest(instance=instance, events=list(events))


def sequences() -> tuple[int, int]:
    """(the session's concat_seq, its turn's last_seq)."""
    session = ChatSession.objects.get()
    return session.concat_seq, Turn.objects.get(session=session).last_seq


def test_an_edit_in_an_open_turn_moves_both_sequences_and_the_turn_text(instance):
    ingest(instance, said("wamid.1", "pedido 4521"), said("wamid.2", "não chegou"))
    assert sequences() == (2, 2)

    result = ingest(instance, MessageEditEvent(provider_message_id="wamid.1", text="pedido 4512"))

    assert result.revisions == 1
    assert sequences() == (3, 3)
    assert turn_close_due(ChatSession.objects.get().pk, 3) == "closed"
    assert Turn.objects.get().text == "pedido 4512\nnão chegou"


def test_deleting_the_only_message_of_an_open_turn_closes_it_empty(instance):
    ingest(instance, said("wamid.1", "oi"))

    ingest(instance, MessageDeleteEvent(provider_message_id="wamid.1"))

    turn = Turn.objects.get()
    assert (turn.status, turn.close_reason, turn.dispatch_reason) == (
        "CLOSED",
        "emptied",
        "all_messages_deleted",
    )
    assert ChatSession.objects.get().concat_seq == 2
    assert Message.objects.get().turn_id is None


def test_an_edit_after_the_turn_closed_moves_no_sequence(instance):
    ingest(instance, said("wamid.1", "oi"))
    assert turn_close_due(ChatSession.objects.get().pk, 1) == "closed"

    ingest(instance, MessageEditEvent(provider_message_id="wamid.1", text="olá"))

    assert sequences() == (1, 1)
    assert Message.objects.get().text == "olá"
