"""The real inbound path: gateway events through ingest land in one turn; a
message typed on the business phone is a takeover, an @command is not."""

from django.db import transaction

from messaging.inbound.ingest import webhook_events_ingest
from messaging.models import Message, MessageKind, Turn
from messaging.turns.close import turn_close_due
from providers.base import MessageEvent
from sessions_app.models import ChatSession


def event(provider_id: str, text: str, *, from_me: bool = False) -> MessageEvent:
    return MessageEvent(
        provider_message_id=provider_id,
        from_me=from_me,
        chat_id="5511987654321@s.whatsapp.net",
        phone="5511987654321",
        wa_ids=("5511987654321@s.whatsapp.net",),
        kind=MessageKind.TEXT,
        text=text,
        push_name="Maria",
    )


def test_a_burst_through_ingest_becomes_one_turn(instance, integration):
    for i, text in enumerate(["Oi", "quero cancelar", "meu pedido"]):
        with transaction.atomic():
            webhook_events_ingest(instance=instance, events=[event(f"wamid.{i}", text)])
    # A provider retry of the same message adds nothing to the turn.
    webhook_events_ingest(instance=instance, events=[event("wamid.1", "quero cancelar")])

    session = ChatSession.objects.get()
    assert turn_close_due(session.id, session.concat_seq) == "closed"
    turn = Turn.objects.get()
    assert (turn.text, turn.messages_count, turn.dispatch_status) == (
        "Oi\nquero cancelar\nmeu pedido",
        3,
        "DISPATCHED",
    )
    assert session.whatsapp_window_expires_at is not None


def test_typing_on_the_phone_takes_over_and_commands_are_stored_as_commands(instance):
    webhook_events_ingest(instance=instance, events=[event("wamid.1", "Oi")])
    webhook_events_ingest(instance=instance, events=[event("wamid.2", "Olá!", from_me=True)])
    session = ChatSession.objects.get()
    assert session.ai_blocked_until is not None
    webhook_events_ingest(instance=instance, events=[event("wamid.3", "@bot off", from_me=True)])
    assert Message.objects.get(provider_message_id="wamid.3").kind == MessageKind.COMMAND
    session.contact.refresh_from_db()
    assert session.contact.bypass_bots is True


def test_reabrir_typed_after_the_close_reopens_that_session(instance):
    webhook_events_ingest(instance=instance, events=[event("wamid.1", "Oi")])
    webhook_events_ingest(instance=instance, events=[event("wamid.2", "@fechar", from_me=True)])
    closed = ChatSession.objects.get()
    assert closed.status == "CLOSED"

    webhook_events_ingest(instance=instance, events=[event("wamid.3", "@reabrir", from_me=True)])

    session = ChatSession.objects.get()  # no second session beside it
    assert (session.pk, session.status, session.closed_at) == (closed.pk, "ACTIVE", None)
    command = Message.objects.get(provider_message_id="wamid.3")
    assert (command.session_id, command.kind) == (closed.pk, MessageKind.COMMAND)
    assert list(session.events.values_list("code", flat=True)).count("command") == 2
    # The customer's next message continues it.
    webhook_events_ingest(instance=instance, events=[event("wamid.4", "obrigada")])
    assert Message.objects.get(provider_message_id="wamid.4").session_id == closed.pk


def test_other_commands_typed_after_the_close_open_a_new_session(instance):
    webhook_events_ingest(instance=instance, events=[event("wamid.1", "Oi")])
    webhook_events_ingest(instance=instance, events=[event("wamid.2", "@fechar", from_me=True)])
    webhook_events_ingest(instance=instance, events=[event("wamid.3", "@pausar 2", from_me=True)])
    assert sorted(ChatSession.objects.values_list("status", flat=True)) == ["CLOSED", "PAUSED"]
