"""Closing a turn: its text, and whether it goes to the AI (no worker needed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Delivery
from messaging.models import MessageKind, TranscriptionStatus, Turn
from messaging.turns.close import turn_close_due
from sessions_app.models import SessionStatus
from sessions_app.services.ai_block import session_block_ai
from tests.support.pipeline import customer_says


def close(session) -> Turn:
    session.refresh_from_db()
    assert turn_close_due(session.id, session.concat_seq) == "closed"
    return Turn.objects.get(session=session, status="CLOSED", last_seq=session.concat_seq)


def test_a_burst_is_one_turn_with_media_labelled_in_order(chat_session, integration):
    customer_says(chat_session, "Oi")
    customer_says(
        chat_session,
        "",
        kind=MessageKind.VOICE,
        transcription="quero falar do meu pedido",
        transcription_status=TranscriptionStatus.DONE,
    )
    customer_says(
        chat_session,
        "olha isso",
        kind=MessageKind.IMAGE,
        transcription="Um recibo de R$ 50",
        transcription_status=TranscriptionStatus.DONE,
    )
    customer_says(
        chat_session,
        "",
        kind=MessageKind.DOCUMENT,
        media_filename="contrato.pdf",
        transcription="Cláusula 1",
        transcription_status=TranscriptionStatus.DONE,
    )
    customer_says(
        chat_session,
        "",
        kind=MessageKind.VIDEO,
        transcription_status=TranscriptionStatus.FAILED,
    )
    turn = close(chat_session)
    assert turn.text == (
        "Oi\n"
        "[áudio] quero falar do meu pedido\n"
        "[imagem] olha isso — Um recibo de R$ 50\n"
        "[documento: contrato.pdf] Cláusula 1\n"
        "[vídeo] (conteúdo não transcrito)"
    )
    assert (turn.messages_count, turn.dispatch_status, turn.close_reason) == (
        5,
        "DISPATCHED",
        "window",
    )
    delivery = Delivery.objects.get(turn=turn)
    body = delivery.payload
    assert body["event"] == "turn.ready"
    assert body["turn"]["isConcatenated"] is True
    assert [m["type"] for m in body["turn"]["messages"]] == [
        "text",
        "voice",
        "image",
        "document",
        "video",
    ]
    assert body["contact"]["phone"] == chat_session.contact.phone


def test_each_customer_message_restarts_the_whatsapp_window(chat_session):
    before = timezone.now()
    customer_says(chat_session, "oi")
    chat_session.refresh_from_db()
    assert chat_session.last_customer_message_at >= before
    assert chat_session.whatsapp_window_expires_at == chat_session.last_customer_message_at + (
        timedelta(hours=24)
    )


def test_a_stale_sequence_does_nothing(chat_session, integration):
    customer_says(chat_session, "a")
    customer_says(chat_session, "b")
    chat_session.refresh_from_db()
    assert turn_close_due(chat_session.id, chat_session.concat_seq - 1) == "stale"
    assert Turn.objects.get(session=chat_session).status == "OPEN"


def test_closing_twice_closes_once(chat_session, integration):
    customer_says(chat_session, "a")
    close(chat_session)
    assert turn_close_due(chat_session.id, chat_session.concat_seq) == "done"
    assert Delivery.objects.count() == 1


def test_pending_media_holds_the_turn_then_goes_with_a_placeholder(
    chat_session, integration, settings
):
    customer_says(chat_session, "", kind=MessageKind.AUDIO)  # transcription queued: PENDING
    chat_session.refresh_from_db()
    assert turn_close_due(chat_session.id, chat_session.concat_seq) == "waiting_media"
    settings.CONCAT_MEDIA_WAIT_SECONDS = 0
    Turn.objects.update(last_message_at=timezone.now() - timedelta(seconds=60))
    turn = close(chat_session)
    assert (turn.text, turn.close_reason) == ("[áudio] (conteúdo não transcrito)", "media_timeout")


def test_max_messages_closes_the_turn_and_the_next_message_starts_another(
    chat_session, integration, settings
):
    settings.CONCAT_MAX_MESSAGES = 3
    for text in "abcd":
        customer_says(chat_session, text)
    turns = list(Turn.objects.filter(session=chat_session).order_by("created_at"))
    assert [(t.status, t.messages_count, t.close_reason) for t in turns] == [
        ("CLOSED", 3, "max_messages"),
        ("OPEN", 1, ""),
    ]
    assert turns[0].text == "a\nb\nc"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda s: session_block_ai(session=s, minutes=30, actor="agent:ana"), "ai_blocked"),
        (lambda s: s.contact.__class__.objects.update(bypass_bots=True), "bypass_bots"),
        (
            lambda s: s.__class__.objects.filter(pk=s.pk).update(status=SessionStatus.PAUSED),
            "session_paused",
        ),
        (
            lambda s: s.__class__.objects.filter(pk=s.pk).update(status=SessionStatus.CLOSED),
            "session_closed",
        ),
    ],
    ids=["ai_blocked", "bypass_bots", "paused", "closed"],
)
def test_a_turn_is_skipped_with_the_reason(chat_session, integration, setup, reason):
    customer_says(chat_session, "oi")
    setup(chat_session)
    turn = close(chat_session)
    assert (turn.dispatch_status, turn.dispatch_reason) == ("SKIPPED", reason)
    assert not Delivery.objects.exists()


def test_after_the_block_expires_the_next_burst_is_dispatched(chat_session, integration):
    session_block_ai(session=chat_session, minutes=30, actor="agent:ana")
    customer_says(chat_session, "first")
    assert close(chat_session).dispatch_status == "SKIPPED"
    chat_session.__class__.objects.filter(pk=chat_session.pk).update(
        ai_blocked_until=timezone.now() - timedelta(seconds=1)
    )
    customer_says(chat_session, "second")
    turn = close(chat_session)
    assert (turn.dispatch_status, turn.text) == ("DISPATCHED", "second")
    assert Delivery.objects.get().turn == turn


def test_without_an_integration_the_turn_says_so(chat_session):
    customer_says(chat_session, "oi")
    turn = close(chat_session)
    assert (turn.dispatch_status, turn.dispatch_reason) == ("NO_INTEGRATION", "no_integration")
