"""``offer_options``: the assistant answers with buttons or a list, through the same path."""

import pytest

from assistant.answer import turn_answer
from assistant.models import AssistantRun, RunStatus
from messaging.models import Author, Message
from tests.assistant.helpers import closed_turn
from tests.support import factories
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


@pytest.fixture
def session(contact, bound_instance):
    return factories.make_session(contact=contact, instance=bound_instance)


def test_offered_options_go_out_and_the_customers_number_comes_back_as_the_option(
    session, model, django_capture_on_commit_callbacks
):
    model.call_tool(
        "offer_options",
        {"body": "Como posso ajudar?", "options": ["Segunda via", "Falar com atendente"]},
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.ANSWERED

    offer = Message.objects.get(session=session, author=Author.AI)
    # The sandbox has no buttons: the numbered text, its options remembered.
    assert (offer.kind, offer.text) == (
        "interactive",
        "Como posso ajudar?\n\n1 - Segunda via\n2 - Falar com atendente",
    )
    assert [o["title"] for o in offer.payload["interactive"]["options"]] == [
        "Segunda via",
        "Falar com atendente",
    ]
    assert "assistant" in offer.payload
    run = AssistantRun.objects.get(session=session)
    assert run.tool_calls == [
        {
            "name": "offer_options",
            "arguments": {
                "body": "Como posso ajudar?",
                "options": ["Segunda via", "Falar com atendente"],
            },
            "ok": True,
        }
    ]
    assert model.calls[0].tool_names[-1] == "offer_options"

    webhook = {"event": "message", "message": {"id": "SBX-2", "from": "5511987654321", "text": "2"}}
    assert post_webhook(session.instance, webhook).status_code == 200

    # The next turn reads the option, as if the customer had tapped it.
    answer = Message.objects.get(provider_message_id="SBX-2")
    assert (answer.text, answer.session_id) == ("Falar com atendente", session.id)
    assert answer.payload["reply"] == {
        "id": "option-2",
        "title": "Falar com atendente",
        "toMessageId": str(offer.id),
    }


def test_more_than_three_options_are_a_list(session, model):
    options = ["Segunda via", "Falar com atendente", "Horário", "Endereço"]
    model.call_tool("offer_options", {"body": "Escolha", "options": options})

    turn_answer(turn_id=closed_turn(session, "oi").pk)

    offer = Message.objects.get(session=session, author=Author.AI)
    assert offer.payload["interactive"]["kind"] == "list"
    assert offer.text.endswith("4 - Endereço")


def test_options_over_whatsapps_limits_are_an_error_the_model_reads(session, model):
    model.call_tool("offer_options", {"body": "Escolha", "options": ["x" * 30]})
    model.say("Como posso ajudar?")

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.ANSWERED

    assert (
        model.calls[1]
        .messages[-1]["content"]
        .startswith("error: content.interactive.list.sections[0].rows[0].title")
    )
    assert Message.objects.get(session=session, author=Author.AI).text == "Como posso ajudar?"
