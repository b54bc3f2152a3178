"""Messages typed on the business phone: @commands act, anything else is a takeover."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.inbound.commands import command_parse
from messaging.models import MessageKind, Turn
from sessions_app.models import SessionStatus
from tests.support import factories
from tests.support.pipeline import customer_says, phone_says


def test_a_message_typed_on_the_phone_blocks_the_ai(chat_session):
    before = timezone.now()
    phone_says(chat_session, "Oi, aqui é a Ana da loja")
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until >= before + timedelta(minutes=60)
    assert (chat_session.ai_blocked_by, chat_session.events.last().code) == ("phone", "takeover")


def test_fechar_closes_with_the_reason_and_is_stored_as_a_command(chat_session):
    message = phone_says(chat_session, "@fechar cliente atendido")
    chat_session.refresh_from_db()
    message.refresh_from_db()
    assert (chat_session.status, chat_session.end_reason) == ("CLOSED", "cliente atendido")
    assert message.kind == MessageKind.COMMAND
    assert message.payload["command"] == {"name": "fechar", "args": "cliente atendido"}
    assert chat_session.ai_blocked_until is None  # a command is not a takeover


def test_pausar_pauses_for_the_hours_given(chat_session):
    before = timezone.now()
    phone_says(chat_session, "@pausar 2")
    chat_session.refresh_from_db()
    assert chat_session.status == SessionStatus.PAUSED
    assert before + timedelta(hours=2) <= chat_session.paused_until
    assert chat_session.paused_until < before + timedelta(hours=2, minutes=1)


@pytest.mark.parametrize("hours", ["inf", "1e999", "muito"])
def test_pausar_with_a_number_it_cannot_use_pauses_for_the_default(chat_session, hours):
    phone_says(chat_session, f"@pausar {hours}")
    chat_session.refresh_from_db()
    assert chat_session.status == SessionStatus.PAUSED
    assert chat_session.paused_until > timezone.now() + timedelta(hours=23)


def test_reabrir_resumes_and_lifts_the_block(chat_session):
    phone_says(chat_session, "vou te ajudar")  # takeover
    phone_says(chat_session, "@pausar")
    phone_says(chat_session, "@reabrir")
    chat_session.refresh_from_db()
    assert (chat_session.status, chat_session.ai_blocked_until) == ("ACTIVE", None)


@pytest.mark.parametrize(("text", "bypass"), [("@bot off", True), ("@bot on", False)])
def test_bot_on_off_sets_bypass_bots(chat_session, text, bypass):
    chat_session.contact.bypass_bots = not bypass
    chat_session.contact.save()
    phone_says(chat_session, text)
    chat_session.contact.refresh_from_db()
    assert chat_session.contact.bypass_bots is bypass


def test_a_command_never_reaches_a_turn(chat_session, integration):
    phone_says(chat_session, "@pausar 1")
    customer_says(chat_session, "oi")
    turn = Turn.objects.get(session=chat_session)
    assert [m.text for m in turn.messages.all()] == ["oi"]


def test_an_invalid_command_is_recorded_not_raised(contact, instance):
    session = factories.make_session(contact=contact, instance=instance, status="PAUSED")
    phone_says(session, "@pausar 3")
    assert "refused" in session.events.filter(code="command").get().text


@pytest.mark.parametrize(
    "text", ["@ana pode ver?", "email@exemplo.com", "@bot talvez", "oi @fechar", ""]
)
def test_other_text_is_not_a_command(text):
    assert command_parse(text) is None
