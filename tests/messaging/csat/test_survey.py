"""The satisfaction survey: asked when an agent or the AI closes a session,
answered by the customer's next message without a new session or turn."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Author, Direction, Message, Turn
from sessions_app.models import ChatSession, SessionEvent, SessionStatus
from sessions_app.services.lifecycle import session_close
from tests.support import factories
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

PHONE = "5511987654321"


def customer_writes(instance, text: str, message_id: str):
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = message_id
    body["data"]["message"]["conversation"] = text
    assert post_webhook(instance, body).status_code == 200


@pytest.fixture
def survey_on(organization):
    organization.csat_enabled = True
    organization.save()
    return organization


@pytest.fixture
def closed(survey_on, evolution_instance):
    """A session the customer wrote in, closed by an agent: the survey asked."""
    customer_writes(evolution_instance, "Quero trocar um produto", "M1")
    session = ChatSession.objects.get()
    session_close(session=session, end_reason="Resolvido", actor="agent:ana")
    session.refresh_from_db()
    return session


def system_texts(session) -> list[str]:
    return list(
        Message.objects.filter(session=session, author=Author.SYSTEM)
        .order_by("created_at")
        .values_list("text", flat=True)
    )


def test_closing_sends_the_question_as_a_system_message(closed):
    [question] = Message.objects.filter(session=closed, author=Author.SYSTEM)
    assert question.text == "De 1 a 5, como foi o atendimento?"
    assert question.direction == Direction.OUTBOUND and question.send_external
    assert closed.csat_asked_at is not None


def test_a_rating_is_recorded_on_the_closed_session_without_a_new_session_or_turn(closed):
    turns = Turn.objects.count()
    customer_writes(closed.instance, "5 - adorei o atendimento", "M2")

    assert ChatSession.objects.count() == 1
    assert Turn.objects.count() == turns
    closed.refresh_from_db()
    assert closed.status == SessionStatus.CLOSED
    assert (closed.csat_rating, closed.csat_comment) == (5, "adorei o atendimento")
    assert closed.csat_answered_at is not None
    answer = Message.objects.get(provider_message_id="M2")
    assert (answer.session_id, answer.author, answer.turn_id) == (closed.pk, "CUSTOMER", None)
    assert system_texts(closed) == [
        "De 1 a 5, como foi o atendimento?",
        "Obrigado pela avaliação!",
    ]
    assert SessionEvent.objects.filter(session=closed, code="csat_answered").exists()


def test_anything_else_opens_a_new_session_and_the_survey_stays_unanswered(closed):
    customer_writes(closed.instance, "5 minutos e já volto", "M2")
    assert ChatSession.objects.count() == 2
    new = ChatSession.objects.exclude(pk=closed.pk).get()
    assert Message.objects.get(provider_message_id="M2").session_id == new.pk
    # The survey belongs to the older session now: a later "5" is a message.
    customer_writes(closed.instance, "5", "M3")
    assert Message.objects.get(provider_message_id="M3").session_id == new.pk
    closed.refresh_from_db()
    assert closed.csat_rating is None


def test_a_second_rating_is_a_new_conversation(closed):
    customer_writes(closed.instance, "4", "M2")
    customer_writes(closed.instance, "5", "M3")
    closed.refresh_from_db()
    assert closed.csat_rating == 4
    assert ChatSession.objects.count() == 2


def test_a_rating_after_24_hours_opens_a_new_session(closed):
    ChatSession.objects.filter(pk=closed.pk).update(
        csat_asked_at=timezone.now() - timedelta(hours=25)
    )
    customer_writes(closed.instance, "5", "M2")
    assert ChatSession.objects.count() == 2
    closed.refresh_from_db()
    assert closed.csat_rating is None


def test_a_media_message_is_not_a_rating(closed):
    body = load_fixture("evolution", "image")
    body["data"]["key"]["id"] = "M2"
    post_webhook(closed.instance, body)
    assert ChatSession.objects.count() == 2


def test_an_idle_timeout_close_asks_nothing(survey_on, evolution_instance):
    customer_writes(evolution_instance, "Oi", "M1")
    session = ChatSession.objects.get()
    session_close(session=session, end_reason="Inatividade", actor="system")
    assert system_texts(session) == []


def test_the_ai_closing_asks_too(survey_on, evolution_instance):
    customer_writes(evolution_instance, "Oi", "M1")
    session = ChatSession.objects.get()
    session_close(session=session, end_reason="Resolvido", actor="assistant:Bia")
    assert system_texts(session) == ["De 1 a 5, como foi o atendimento?"]


def test_nothing_is_asked_when_the_survey_is_off(organization, evolution_instance):
    customer_writes(evolution_instance, "Oi", "M1")
    session = ChatSession.objects.get()
    session_close(session=session, end_reason="Resolvido", actor="agent:ana")
    assert system_texts(session) == []
    customer_writes(evolution_instance, "5", "M2")
    assert ChatSession.objects.count() == 2


def test_nothing_is_asked_when_the_customer_never_wrote(survey_on, evolution_instance):
    contact = factories.make_contact(survey_on, phone=PHONE)
    session = factories.make_session(contact=contact, instance=evolution_instance)
    session_close(session=session, end_reason="Enviado", actor="agent:ana")
    assert system_texts(session) == []


def test_the_organizations_own_texts_are_used(survey_on, evolution_instance):
    survey_on.csat_question = "Dê uma nota de 1 a 5"
    survey_on.csat_thanks = "Valeu!"
    survey_on.save()
    customer_writes(evolution_instance, "Oi", "M1")
    session = ChatSession.objects.get()
    session_close(session=session, end_reason="Resolvido", actor="api:crm")
    customer_writes(evolution_instance, "⭐⭐⭐", "M2")
    session.refresh_from_db()
    assert session.csat_rating == 3
    assert system_texts(session) == ["Dê uma nota de 1 a 5", "Valeu!"]
