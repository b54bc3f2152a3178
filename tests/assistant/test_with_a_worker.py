"""The assistant end to end: customer messages → one turn → the model → the gateway."""

import pytest

from accounts.models import Department
from assistant.models import AssistantRun, RunStatus
from integrations.services import integration_create
from messaging.models import Author, Direction, Message, Turn
from providers.models import SandboxOutboxMessage
from sessions_app.models import SessionEvent
from sessions_app.selectors import session_ai_refusal_reason
from tests.support import factories
from tests.support.http_server import FakeHTTPServer
from tests.support.pipeline import customer_says, wait_for

pytestmark = pytest.mark.worker

HOOK = "/hooks/atende"


@pytest.fixture
def receiver():
    server = FakeHTTPServer()
    server.route("POST", HOOK, lambda request: (200, {"ok": True}))
    with server:
        yield server


@pytest.fixture
def integration(organization, receiver):
    return integration_create(
        organization=organization,
        name="AI platform",
        url=receiver.url + HOOK,
        events=["turn.ready", "session.handoff"],
    )


def events_of(receiver, name: str) -> list[dict]:
    return [r.json for r in receiver.requests_to(HOOK) if r.headers.get("x-atende-event") == name]


@pytest.fixture
def session(contact, bound_instance):
    return factories.make_session(contact=contact, instance=bound_instance, concat_timeout=1)


def outbox(instance) -> list[str]:
    return list(
        SandboxOutboxMessage.objects.filter(instance=instance)
        .order_by("created_at")
        .values_list("text", flat=True)
    )


def test_three_messages_are_one_turn_one_model_call_and_one_reply_sent(
    celery_worker, session, model, integration, receiver
):
    factories.make_message(session, text="Olá, bom dia")
    factories.make_message(
        session, text="Bom dia! Como posso ajudar?", direction=Direction.OUTBOUND, author=Author.AI
    )
    model.say("Claro! Seu pedido 123 sai hoje.")

    for text in ("Oi", "sobre o pedido 123", "quando chega?"):
        customer_says(session, text)

    assert wait_for(lambda: outbox(session.instance), timeout=30) == [
        "Claro! Seu pedido 123 sai hoje."
    ]
    [call] = model.calls
    assert [(m["role"], m["content"]) for m in call.messages[1:]] == [
        ("user", "Olá, bom dia"),
        ("assistant", "Bom dia! Como posso ajudar?"),
        ("user", "Oi"),
        ("user", "sobre o pedido 123"),
        ("user", "quando chega?"),
    ]
    [reply] = Message.objects.filter(session=session, author=Author.AI, text__startswith="Claro")
    assert wait_for(lambda: Message.objects.get(pk=reply.pk).delivery_status == "SENT")
    assert reply.payload["assistant"]["model"] == "test-model"
    [turn] = Turn.objects.filter(session=session)
    assert turn.messages_count == 3
    assert AssistantRun.objects.get(turn=turn).status == RunStatus.ANSWERED
    [ready] = wait_for(lambda: events_of(receiver, "turn.ready"))
    assert ready["answeredBy"] == "assistant"
    assert ready["turn"]["id"] == str(turn.pk)


def test_a_transfer_blocks_the_ai_and_later_turns_are_skipped(
    celery_worker, session, model, organization, integration, receiver
):
    suporte = Department.objects.create(organization=organization, name="Suporte")
    model.call_tool(
        "transfer_to_human",
        {"reason": "pediu um atendente", "department": "Suporte"},
        content="Vou chamar um atendente do suporte.",
    )

    customer_says(session, "quero falar com um atendente")

    assert wait_for(lambda: outbox(session.instance), timeout=30) == [
        "Vou chamar um atendente do suporte."
    ]
    [handoff] = wait_for(lambda: events_of(receiver, "session.handoff"))
    assert handoff["reason"] == "pediu um atendente"
    assert handoff["departmentId"] == str(suporte.pk)
    session.refresh_from_db()
    assert session.assigned_department == suporte
    assert session_ai_refusal_reason(session) == "ai_blocked"
    assert SessionEvent.objects.filter(session=session, code="assistant_handoff").exists()

    customer_says(session, "alô?")

    skipped = wait_for(
        lambda: Turn.objects.filter(session=session, dispatch_status="SKIPPED").first()
    )
    assert skipped.dispatch_reason == "ai_blocked"
    assert len(model.calls) == 1
    assert len(events_of(receiver, "turn.ready")) == 1  # the skipped turn goes nowhere


def test_a_human_taking_over_while_the_model_thinks_wins(celery_worker, session, model, api_client):
    model.hold()
    model.say("Resposta atrasada da IA.")

    customer_says(session, "preciso de ajuda")
    assert model.waiting.wait(30), "the model was never asked"
    response = api_client.post(
        "/api/v1/messages",
        {
            "sessionId": str(session.pk),
            "type": "TEXT",
            "author": "AGENT",
            "content": {"text": "Oi, aqui é a Carla, vou te ajudar."},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    model.release()

    run = wait_for(
        lambda: AssistantRun.objects.filter(session=session, status=RunStatus.REFUSED).first()
    )
    assert run.reason == "ai_blocked"
    assert not Message.objects.filter(session=session, author=Author.AI).exists()
    refused = SessionEvent.objects.get(session=session, code="assistant_reply_refused")
    assert refused.data["reason"] == "ai_blocked"
    assert refused.data["text"] == "Resposta atrasada da IA."
    assert wait_for(lambda: outbox(session.instance)) == ["Oi, aqui é a Carla, vou te ajudar."]
