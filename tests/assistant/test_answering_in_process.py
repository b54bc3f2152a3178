"""One turn, answered by the assistant in this process: prompt, reply, accountability."""

import pytest

from assistant.answer import turn_answer
from assistant.models import AssistantRun, RunStatus
from messaging.models import Author, Direction, Message
from sessions_app.models import SessionEvent
from sessions_app.services.ai_block import session_block_ai
from tests.assistant.helpers import closed_turn
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(contact, bound_instance):
    return factories.make_session(contact=contact, instance=bound_instance)


def ai_messages(session):
    return list(Message.objects.filter(session=session, author=Author.AI))


def test_it_answers_with_the_prompt_history_and_contact(session, model):
    tag = factories.make_tabulation(session.organization, name="VIP")
    session.contact.tabulations.add(tag)
    factories.make_message(session, text="bom dia")
    factories.make_message(
        session, text="Bom dia! Sou o João.", direction=Direction.OUTBOUND, author=Author.AGENT
    )
    factories.make_message(
        session,
        text="",
        kind="voice",
        transcription="quero saber do meu pedido",
        transcription_status="DONE",
    )
    model.say("Seu pedido sai amanhã.")
    turn = closed_turn(session, "oi", "tudo bem?")

    assert turn_answer(turn_id=turn.pk) == RunStatus.ANSWERED

    [call] = model.calls
    assert call.body["model"] == "test-model"
    assert model.requests[0].headers["authorization"] == "Bearer sk-test-key"
    assert call.system.startswith("Você é a Ana, assistente da Acme.")
    assert "Maria" in call.system and "VIP" in call.system and "Acme" in call.system
    assert [(m["role"], m["content"]) for m in call.messages[1:]] == [
        ("user", "bom dia"),
        ("assistant", "[mensagem de um atendente humano] Bom dia! Sou o João."),
        ("user", "[áudio] quero saber do meu pedido"),
        ("user", "oi"),
        ("user", "tudo bem?"),
    ]
    assert set(call.tool_names) == {
        "transfer_to_human",
        "close_session",
        "add_tag",
        "offer_options",
    }
    [reply] = ai_messages(session)
    assert reply.text == "Seu pedido sai amanhã."
    assert reply.direction == Direction.OUTBOUND
    details = reply.payload["assistant"]
    assert details["model"] == "test-model"
    assert details["promptTokens"] == 20 and details["completionTokens"] == 10
    assert details["modelCalls"] == 1 and details["latencyMs"] >= 0
    run = AssistantRun.objects.get(turn=turn)
    assert run.reply_message == reply and run.prompt_tokens == 20


def test_only_the_last_max_history_messages_go(session, assistant, model):
    assistant.max_history_messages = 2
    assistant.save()
    factories.make_message(session, text="mensagem antiga")
    turn = closed_turn(session, "primeira", "segunda")

    turn_answer(turn_id=turn.pk)

    assert [m["content"] for m in model.calls[0].messages[1:]] == ["primeira", "segunda"]


def test_a_turn_is_answered_once_when_the_task_runs_twice(session, model):
    turn = closed_turn(session, "oi")

    assert turn_answer(turn_id=turn.pk) == RunStatus.ANSWERED
    assert turn_answer(turn_id=turn.pk) == "already_answered"

    assert len(model.calls) == 1
    assert len(ai_messages(session)) == 1


def test_a_long_reply_is_cut_to_max_reply_chars(session, assistant, model):
    assistant.max_reply_chars = 50
    assistant.save()
    model.say("x" * 300)

    turn_answer(turn_id=closed_turn(session, "oi").pk)

    assert len(ai_messages(session)[0].text) == 50


def test_a_session_blocked_since_the_dispatch_is_skipped(session, model):
    session_block_ai(session=session, minutes=10, actor="test")
    turn = closed_turn(session, "oi")

    assert turn_answer(turn_id=turn.pk) == RunStatus.SKIPPED

    assert model.calls == []
    assert AssistantRun.objects.get(turn=turn).reason == "ai_blocked"


def test_an_inactive_assistant_does_not_answer(session, assistant, model):
    assistant.is_active = False
    assistant.save()

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == "no_assistant"
    assert model.calls == []
    assert not SessionEvent.objects.filter(session=session, code="assistant_handoff").exists()
