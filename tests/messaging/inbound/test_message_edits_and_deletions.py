"""Edits and deletions through ingest: the message, its turn, and the integrations."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from integrations.models import Delivery
from integrations.services import integration_create
from messaging.inbound.ingest import webhook_events_ingest
from messaging.inbound.revisions import deleted_messages_erase_content
from messaging.models import Message, MessageKind, Turn
from messaging.turns.close import turn_close_due, turn_close_when_due
from providers.base import InboundMedia, MessageDeleteEvent, MessageEditEvent, MessageEvent
from sessions_app.models import ChatSession
from tests.support.pipeline import wait_for
from tests.support.receiver import RECEIVER_PATH, RECEIVER_SECRET, signature_is_valid

AT = datetime(2025, 10, 21, 14, 33, 9, tzinfo=UTC)


def said(provider_id: str, text: str, *, from_me: bool = False, **fields) -> MessageEvent:
    return MessageEvent(
        provider_message_id=provider_id,
        from_me=from_me,
        chat_id="5511987654321@s.whatsapp.net",
        phone=fields.pop("phone", "5511987654321"),
        wa_ids=fields.pop("wa_ids", ("5511987654321@s.whatsapp.net",)),
        kind=MessageKind.TEXT,
        text=text,
        push_name="Maria",
        **fields,
    )


def edit(provider_id: str, text: str, at=AT) -> MessageEditEvent:
    return MessageEditEvent(provider_message_id=provider_id, text=text, timestamp=at)


def delete(provider_id: str) -> MessageDeleteEvent:
    return MessageDeleteEvent(provider_message_id=provider_id, timestamp=AT)


def ingest(instance, *events):
    return webhook_events_ingest(instance=instance, events=list(events))


def close_turn() -> Turn:
    session = ChatSession.objects.get()
    assert turn_close_due(session.id, session.concat_seq) == "closed"
    return Turn.objects.get(session=session, status="CLOSED")


@pytest.fixture
def subscriber(organization, receiver):
    return integration_create(
        organization=organization,
        name="AI platform",
        url=receiver.url + RECEIVER_PATH,
        events=["turn.ready", "message.updated", "message.deleted"],
        secret=RECEIVER_SECRET,
    )


def test_an_edit_inside_an_open_turn_changes_the_turn_text(instance, subscriber):
    ingest(instance, said("wamid.1", "pedido 4521"), said("wamid.2", "não chegou"))
    result = ingest(instance, edit("wamid.1", "pedido 4512"))

    assert result.as_dict()["revisions"] == 1
    message = Message.objects.get(provider_message_id="wamid.1")
    assert (message.text, message.edited_at, message.edit_history) == (
        "pedido 4512",
        AT,
        [{"text": "pedido 4521", "replacedAt": "2025-10-21T14:33:09Z"}],
    )
    turn = close_turn()
    assert (turn.text, turn.dispatch_status) == ("pedido 4512\nnão chegou", "DISPATCHED")
    assert Delivery.objects.filter(event="message.updated").count() == 0


def test_a_closer_that_read_the_turn_before_the_edit_reads_it_again(instance, subscriber):
    ingest(instance, said("wamid.1", "pedido 4521"))
    session = ChatSession.objects.get()
    seq_read_by_the_closer = session.concat_seq
    ingest(instance, edit("wamid.1", "pedido 4512"))

    assert turn_close_due(session.id, seq_read_by_the_closer) == "stale"
    turn_id = Turn.objects.get().pk
    Turn.objects.filter(pk=turn_id).update(last_message_at=timezone.now() - timedelta(minutes=5))
    assert turn_close_when_due(turn_id)[0] == "closed"
    assert Turn.objects.get().text == "pedido 4512"


def test_an_edit_of_an_earlier_turn_leaves_the_open_turn_closable(instance, subscriber):
    ingest(instance, said("wamid.1", "pedido 4521"))
    close_turn()
    ingest(instance, said("wamid.2", "alguém?"))
    ingest(instance, edit("wamid.1", "pedido 4512"), delete("wamid.1"))

    session = ChatSession.objects.get()
    open_turn = Turn.objects.get(status="OPEN")
    assert open_turn.last_seq == session.concat_seq
    assert turn_close_due(session.id, session.concat_seq) == "closed"
    assert Turn.objects.get(pk=open_turn.pk).text == "alguém?"


def test_an_edit_after_dispatch_publishes_message_updated_once(instance, subscriber):
    ingest(instance, said("wamid.1", "pedido 4521"))
    turn = close_turn()
    ingest(instance, edit("wamid.1", "pedido 4512"))
    # Baileys reports the same edit twice (protocol message and messages.update).
    again = ingest(instance, edit("wamid.1", "pedido 4512"))

    assert again.as_dict()["ignoredReasons"] == ["MessageEditEvent: unchanged"]
    delivery = Delivery.objects.get(event="message.updated")
    message = Message.objects.get()
    assert delivery.payload == {
        "event": "message.updated",
        "organizationId": str(instance.organization_id),
        "message": {
            "id": str(message.id),
            "sessionId": str(message.session_id),
            "contactId": str(message.contact_id),
            "turnId": str(turn.id),
            "providerMessageId": "wamid.1",
            "kind": "text",
            "author": "CUSTOMER",
            "oldText": "pedido 4521",
            "newText": "pedido 4512",
            "editedAt": "2025-10-21T14:33:09Z",
        },
    }
    assert Turn.objects.get().text == "pedido 4521"  # what the AI was given stays on record


def test_a_late_copy_of_an_earlier_edit_is_ignored(instance):
    ingest(instance, said("wamid.1", "pedido 4521"))
    ingest(instance, edit("wamid.1", "pedido 4512", at=AT + timedelta(seconds=30)))
    late = ingest(instance, edit("wamid.1", "pedido 4522", at=AT))

    assert late.as_dict()["ignoredReasons"] == ["MessageEditEvent: older edit"]
    message = Message.objects.get()
    assert (message.text, len(message.edit_history)) == ("pedido 4512", 1)


def test_an_edit_or_delete_of_a_message_we_do_not_have_stores_nothing(instance):
    result = ingest(instance, edit("wamid.unknown", "x"), delete("wamid.unknown"))

    assert result.as_dict()["ignoredReasons"] == [
        "MessageDeleteEvent: unknown message",
        "MessageEditEvent: unknown message",
    ]
    assert (Message.objects.count(), Contact.objects.count(), ChatSession.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_delete_inside_an_open_turn_takes_the_message_out_of_it(instance, subscriber):
    ingest(instance, said("wamid.1", "foto errada"), said("wamid.2", "quero trocar"))
    ingest(instance, delete("wamid.1"))

    message = Message.objects.get(provider_message_id="wamid.1")
    assert (message.deleted_at, message.deleted_by, message.turn_id) == (AT, "CUSTOMER", None)
    turn = close_turn()
    assert (turn.text, turn.messages_count) == ("quero trocar", 1)


def test_a_deleted_voice_note_is_not_transcribed(instance):
    voice = MessageEvent(
        provider_message_id="wamid.v",
        from_me=False,
        chat_id="5511987654321@s.whatsapp.net",
        phone="5511987654321",
        wa_ids=("5511987654321@s.whatsapp.net",),
        kind=MessageKind.VOICE,
        media=InboundMedia(mimetype="audio/ogg", ref={"base64": "AAAA"}),
    )
    ingest(instance, voice)
    assert Message.objects.get().transcription_status == "PENDING"
    ingest(instance, delete("wamid.v"))
    message = Message.objects.get()
    assert (message.transcription_status, message.transcription_error) == (
        "SKIPPED",
        "The message was deleted by its sender.",
    )


def test_a_turn_left_empty_by_deletions_closes_without_dispatch(instance, subscriber):
    ingest(instance, said("wamid.1", "ops"))
    ingest(instance, delete("wamid.1"))

    turn = Turn.objects.get()
    assert (turn.status, turn.close_reason, turn.dispatch_status, turn.dispatch_reason) == (
        "CLOSED",
        "emptied",
        "SKIPPED",
        "all_messages_deleted",
    )
    assert Delivery.objects.count() == 0


def test_a_delete_after_dispatch_publishes_message_deleted_once(instance, subscriber):
    ingest(instance, said("wamid.1", "foto errada"))
    close_turn()
    ingest(instance, delete("wamid.1"))
    again = ingest(instance, delete("wamid.1"))

    assert again.as_dict()["ignoredReasons"] == ["MessageDeleteEvent: already deleted"]
    delivery = Delivery.objects.get(event="message.deleted")
    assert delivery.payload["message"]["deletedBy"] == "CUSTOMER"
    assert delivery.payload["message"]["deletedAt"] == "2025-10-21T14:33:09Z"
    assert "text" not in delivery.payload["message"]


def test_an_edit_of_a_deleted_message_is_ignored(instance):
    ingest(instance, said("wamid.1", "pedido 4521"), delete("wamid.1"))
    result = ingest(instance, edit("wamid.1", "pedido 4512"))
    assert result.as_dict()["ignoredReasons"] == ["MessageEditEvent: already deleted"]
    assert Message.objects.get().edit_history == []


def test_our_message_deleted_from_the_business_phone_is_marked(instance):
    ingest(instance, said("wamid.1", "Oi"), said("3EB0.phone", "valor: R$ 90", from_me=True))
    ingest(instance, delete("3EB0.phone"))
    message = Message.objects.get(provider_message_id="3EB0.phone")
    assert (message.author, message.deleted_by) == ("BUSINESS", "BUSINESS")


def test_a_contact_first_seen_by_lid_gets_the_phone_a_later_event_reveals(instance):
    ingest(instance, said("wamid.1", "Oi", phone=None, wa_ids=("204915700000001@lid",)))
    assert Contact.objects.get().phone in ("", None)
    ingest(
        instance,
        said(
            "wamid.2",
            "sou a Ana",
            phone="5531987654321",
            wa_ids=("204915700000001@lid", "553187654321@s.whatsapp.net"),
        ),
    )
    contact = Contact.objects.get()
    assert contact.phone == "5531987654321"
    assert Message.objects.filter(contact=contact).count() == 2


def test_deleted_content_is_erased_after_the_retention(instance):
    ingest(instance, said("wamid.1", "meu CPF é 123"), said("wamid.2", "ok"))
    ingest(instance, edit("wamid.1", "meu CPF é 124"), delete("wamid.1"))
    Message.objects.filter(provider_message_id="wamid.1").update(
        deleted_at=timezone.now() - timedelta(days=31)
    )

    assert deleted_messages_erase_content(older_than=timedelta(days=30)) == 1
    erased = Message.objects.get(provider_message_id="wamid.1")
    assert (erased.text, erased.edit_history, erased.raw_payload) == ("", [], {})
    assert erased.content_erased_at is not None
    assert Message.objects.get(provider_message_id="wamid.2").text == "ok"
    assert deleted_messages_erase_content(older_than=timedelta(days=30)) == 0


@pytest.mark.worker
def test_message_updated_reaches_the_receiver_signed_once(
    celery_worker, instance, subscriber, receiver
):
    ingest(instance, said("wamid.1", "pedido 4521"))
    close_turn()
    ingest(instance, edit("wamid.1", "pedido 4512"))
    ingest(instance, edit("wamid.1", "pedido 4512"))

    def updates():
        return [
            r
            for r in receiver.requests_to(RECEIVER_PATH)
            if r.headers.get("x-atende-event") == "message.updated"
        ]

    assert wait_for(updates)
    assert wait_for(lambda: len(receiver.turns()) == 1)
    sent = updates()
    assert len(sent) == 1
    assert signature_is_valid(sent[0])
    assert (sent[0].json["message"]["oldText"], sent[0].json["message"]["newText"]) == (
        "pedido 4521",
        "pedido 4512",
    )
