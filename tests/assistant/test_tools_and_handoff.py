"""Function calls the model makes: transfer_to_human, close_session, add_tag, and bad ones."""

import pytest

from accounts.agents import agent_update
from accounts.models import Department
from assistant.answer import turn_answer
from assistant.models import AssistantRun, RunStatus
from integrations.models import Delivery
from integrations.services import integration_create
from messaging.models import Author, Message
from sessions_app.models import SessionEvent, SessionStatus
from sessions_app.selectors import session_ai_refusal_reason
from tests.assistant.helpers import closed_turn
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(contact, bound_instance):
    return factories.make_session(contact=contact, instance=bound_instance)


@pytest.fixture
def financeiro(organization):
    return Department.objects.create(organization=organization, name="Financeiro")


def events(session, code):
    return list(SessionEvent.objects.filter(session=session, code=code))


def ai_texts(session):
    return list(
        Message.objects.filter(session=session, author=Author.AI).values_list("text", flat=True)
    )


def test_transfer_to_human_blocks_assigns_notes_and_publishes(session, model, financeiro):
    integration = integration_create(
        organization=session.organization,
        name="CRM",
        url="http://127.0.0.1:9/hooks",
        events=["session.handoff"],
    )
    model.call_tool(
        "transfer_to_human",
        {"reason": "cliente pediu atendente", "department": "financeiro"},
        content="Claro! Vou te passar para o financeiro.",
    )
    turn = closed_turn(session, "quero falar com um atendente")

    assert turn_answer(turn_id=turn.pk) == RunStatus.HANDED_OFF

    session.refresh_from_db()
    assert session_ai_refusal_reason(session) == "ai_blocked"
    assert session.assigned_department == financeiro
    assert ai_texts(session) == ["Claro! Vou te passar para o financeiro."]
    [note] = events(session, "assistant_handoff")
    assert "cliente pediu atendente" in note.text
    [delivery] = Delivery.objects.filter(integration=integration, event="session.handoff")
    assert delivery.payload["reason"] == "cliente pediu atendente"
    assert delivery.payload["departmentId"] == str(financeiro.pk)
    assert delivery.payload["session"]["id"] == str(session.pk)
    run = AssistantRun.objects.get(turn=turn)
    assert run.tool_calls == [
        {
            "name": "transfer_to_human",
            "arguments": {"reason": "cliente pediu atendente", "department": "financeiro"},
            "ok": True,
        }
    ]
    # The turn ends with the transfer: the model is not asked again.
    assert len(model.calls) == 1


def test_transfer_without_words_sends_the_configured_message_and_default_department(
    session, model, assistant, financeiro
):
    assistant.handoff_department = financeiro
    assistant.handoff_message = "Um momento, já chamo alguém."
    assistant.save()
    model.call_tool("transfer_to_human", {"reason": "não sei responder"})

    turn_answer(turn_id=closed_turn(session, "qual a cotação do dólar?").pk)

    session.refresh_from_db()
    assert ai_texts(session) == ["Um momento, já chamo alguém."]
    assert session.assigned_department == financeiro


def test_a_handoff_to_an_auto_assigning_department_reaches_its_online_agent(
    session, model, financeiro, django_capture_on_commit_callbacks
):
    financeiro.auto_assign = True
    financeiro.save()
    ana = factories.make_agent(session.organization, username="ana")
    ana.departments.add(financeiro)
    agent_update(agent=ana, availability="online")
    model.call_tool("transfer_to_human", {"reason": "boleto", "department": "financeiro"})

    with django_capture_on_commit_callbacks(execute=True):
        turn_answer(turn_id=closed_turn(session, "meu boleto venceu").pk)

    session.refresh_from_db()
    assert (session.assigned_department, session.assigned_agent) == (financeiro, ana)
    assert events(session, "assigned")[-1].actor == "system:auto-assign"


def test_close_session_sends_the_goodbye_then_closes(session, model):
    model.call_tool("close_session", {"reason": "dúvida resolvida"}, content="Até logo!")

    assert turn_answer(turn_id=closed_turn(session, "era só isso, obrigado").pk) == (
        RunStatus.CLOSED_SESSION
    )

    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    assert "dúvida resolvida" in session.end_reason
    assert ai_texts(session) == ["Até logo!"]


def test_add_tag_tags_the_session_and_the_conversation_goes_on(session, model):
    tag = factories.make_tabulation(session.organization, name="Orçamento")
    model.call_tool("add_tag", {"name": "orçamento"})
    model.say("Anotado! Qual produto?")

    turn_answer(turn_id=closed_turn(session, "quero um orçamento").pk)

    assert list(session.tabulations.all()) == [tag]
    assert ai_texts(session) == ["Anotado! Qual produto?"]
    second = model.calls[1].messages
    assert second[-2]["tool_calls"][0]["function"]["name"] == "add_tag"
    assert second[-1] == {
        "role": "tool",
        "tool_call_id": second[-2]["tool_calls"][0]["id"],
        "content": "ok: tagged Orçamento",
    }


def test_unknown_tools_bad_arguments_and_unknown_tags_are_noted_not_fatal(session, model):
    model.call_tool("launch_rockets", {"count": 3})
    model.call_tool("add_tag", "{not json")
    model.call_tool("add_tag", {"name": "não existe"})
    model.say("Certo!")

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.ANSWERED

    assert ai_texts(session) == ["Certo!"]
    notes = [e.text for e in events(session, "assistant_tool_ignored")]
    assert len(notes) == 3
    assert "unknown function 'launch_rockets'" in notes[0]
    assert "not valid JSON" in notes[1]
    assert "no tag named" in notes[2]
    run = AssistantRun.objects.get(session=session)
    assert [c["ok"] for c in run.tool_calls] == [False, False, False]
    assert model.calls[1].messages[-1]["content"].startswith("error: unknown function")


def test_tool_rounds_are_bounded(session, model, settings):
    settings.ASSISTANT_MAX_TOOL_ROUNDS = 2
    tag = factories.make_tabulation(session.organization, name="loop")
    for _ in range(5):
        model.call_tool("add_tag", {"name": tag.name})

    turn_answer(turn_id=closed_turn(session, "oi").pk)

    # Two rounds with tools, then one request without them that must answer in words.
    assert len(model.calls) == 3
    assert model.calls[2].tool_names == []
