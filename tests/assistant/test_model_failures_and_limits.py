"""When the assistant cannot answer, a person is called instead of leaving silence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assistant.answer import turn_answer
from assistant.models import AssistantRun, RunStatus
from assistant.replies import DEFAULT_HANDOFF_MESSAGE
from messaging.models import Author, Message
from sessions_app.models import SessionEvent
from sessions_app.selectors import session_ai_refusal_reason
from tests.assistant.helpers import closed_turn
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(contact, bound_instance):
    return factories.make_session(contact=contact, instance=bound_instance)


def handoff_note(session) -> SessionEvent:
    return SessionEvent.objects.get(session=session, code="assistant_handoff")


def ai_texts(session):
    return list(
        Message.objects.filter(session=session, author=Author.AI).values_list("text", flat=True)
    )


def test_three_server_errors_hand_off_with_a_system_note(session, model):
    model.fail(500, times=3)
    turn = closed_turn(session, "oi")

    assert turn_answer(turn_id=turn.pk) == RunStatus.HANDED_OFF

    assert len(model.requests) == 3
    note = handoff_note(session)
    assert "after 3 attempts" in note.text and "500" in note.text
    session.refresh_from_db()
    assert session_ai_refusal_reason(session) == "ai_blocked"
    assert ai_texts(session) == [DEFAULT_HANDOFF_MESSAGE]
    run = AssistantRun.objects.get(turn=turn)
    assert run.status == RunStatus.HANDED_OFF and run.model_calls == 3


def test_a_server_error_then_success_answers(session, model):
    model.fail(503)
    model.fail(429)
    model.say("Tudo certo!")

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.ANSWERED

    assert len(model.requests) == 3
    assert ai_texts(session) == ["Tudo certo!"]


def test_401_hands_off_at_once(session, model):
    model.fail(401)

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.HANDED_OFF

    assert len(model.requests) == 1
    assert "401" in handoff_note(session).text


def test_an_unreachable_server_hands_off(session, assistant, model):
    assistant.base_url = "http://127.0.0.1:9/v1"
    assistant.save()

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.HANDED_OFF
    assert "could not be reached" in handoff_note(session).text


def test_an_exhausted_daily_budget_hands_off_without_asking(session, assistant, model):
    assistant.daily_token_budget = 40
    assistant.save()
    first = closed_turn(session, "oi")
    assert turn_answer(turn_id=first.pk) == RunStatus.ANSWERED  # 30 tokens
    model.say("de novo")
    assert turn_answer(turn_id=closed_turn(session, "e aí?").pk) == RunStatus.ANSWERED  # 60

    other = factories.make_session(
        contact=factories.make_contact(session.organization), instance=session.instance
    )
    assert turn_answer(turn_id=closed_turn(other, "olá").pk) == RunStatus.HANDED_OFF

    assert len(model.calls) == 2
    assert "daily token budget" in handoff_note(other).text


def test_the_budget_counts_only_this_organizations_tokens(
    session, assistant, model, other_organization
):
    assistant.daily_token_budget = 40
    assistant.save()
    stranger_session = factories.make_session(
        contact=factories.make_contact(other_organization),
        instance=factories.make_instance(other_organization),
    )
    AssistantRun.objects.create(
        organization=other_organization,
        session=stranger_session,
        turn=closed_turn(stranger_session, "x"),
        prompt_tokens=10_000,
        started_at=timezone.now(),
    )

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.ANSWERED


def test_too_many_replies_in_an_hour_hand_off(session, assistant, model):
    assistant.max_replies_per_hour = 2
    assistant.save()
    for text in ("um", "dois"):
        assert turn_answer(turn_id=closed_turn(session, text).pk) == RunStatus.ANSWERED
    AssistantRun.objects.update(started_at=timezone.now() - timedelta(minutes=30))

    assert turn_answer(turn_id=closed_turn(session, "três").pk) == RunStatus.HANDED_OFF

    assert len(model.calls) == 2
    assert "2 assistant replies in the last hour" in handoff_note(session).text


def test_no_model_server_configured_hands_off(session, assistant, model, settings):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""
    assistant.api_key = ""
    assistant.base_url = ""
    assistant.save()

    assert turn_answer(turn_id=closed_turn(session, "oi").pk) == RunStatus.HANDED_OFF
    assert "no model server is configured" in handoff_note(session).text
