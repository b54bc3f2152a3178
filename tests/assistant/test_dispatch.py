"""The dispatch decision with an assistant: who answers, and what turn.ready says."""

import pytest
from django.utils import timezone

from assistant.services import assistant_create
from integrations.models import Delivery
from integrations.services import integration_create
from messaging.models import DispatchStatus, Message, Turn, TurnStatus
from messaging.turns.dispatch import turn_dispatch
from sessions_app.services.ai_block import session_block_ai
from tests.support import factories

pytestmark = pytest.mark.django_db


def closing_turn(session) -> tuple[Turn, list[Message]]:
    message = factories.make_message(session, text="oi")
    now = timezone.now()
    turn = Turn.objects.create(
        organization=session.organization,
        session=session,
        status=TurnStatus.CLOSED,
        first_message_at=now,
        last_message_at=now,
        closed_at=now,
        text="oi",
    )
    return turn, [message]


@pytest.fixture
def integration(organization):
    return integration_create(
        organization=organization,
        name="AI platform",
        url="http://127.0.0.1:9/hook",
        events=["turn.ready"],
    )


def turn_ready(turn) -> dict:
    return Delivery.objects.get(turn=turn, event="turn.ready").payload


def test_turn_ready_says_the_assistant_answers(contact, bound_instance, integration):
    session = factories.make_session(contact=contact, instance=bound_instance)
    turn, messages = closing_turn(session)

    assert turn_dispatch(turn=turn, messages=messages) == DispatchStatus.DISPATCHED
    assert turn_ready(turn)["answeredBy"] == "assistant"


def test_without_an_assistant_answered_by_is_null(contact, instance, integration):
    session = factories.make_session(contact=contact, instance=instance)
    turn, messages = closing_turn(session)

    turn_dispatch(turn=turn, messages=messages)

    assert turn_ready(turn)["answeredBy"] is None


def test_an_assistant_alone_is_enough_to_dispatch(contact, bound_instance):
    session = factories.make_session(contact=contact, instance=bound_instance)
    turn, messages = closing_turn(session)

    assert turn_dispatch(turn=turn, messages=messages) == DispatchStatus.DISPATCHED
    assert turn.dispatch_reason == ""


def test_an_inactive_assistant_leaves_the_turn_to_integrations(contact, bound_instance, assistant):
    assistant.is_active = False
    assistant.save()
    session = factories.make_session(contact=contact, instance=bound_instance)
    turn, messages = closing_turn(session)

    assert turn_dispatch(turn=turn, messages=messages) == DispatchStatus.NO_INTEGRATION


def test_another_organizations_assistant_never_answers(contact, instance, other_organization):
    stranger = assistant_create(organization=other_organization, name="Theirs")
    # Bound behind the API's back: the dispatch checks the organization itself.
    instance.assistant = stranger
    instance.save()
    session = factories.make_session(contact=contact, instance=instance)
    turn, messages = closing_turn(session)

    assert turn_dispatch(turn=turn, messages=messages) == DispatchStatus.NO_INTEGRATION


def test_the_same_refusals_apply_first(contact, bound_instance, integration):
    session = factories.make_session(contact=contact, instance=bound_instance)
    session_block_ai(session=session, minutes=5, actor="test")
    turn, messages = closing_turn(session)

    assert turn_dispatch(turn=turn, messages=messages) == DispatchStatus.SKIPPED
    assert turn.dispatch_reason == "ai_blocked"
    assert not Delivery.objects.filter(turn=turn).exists()
