"""The English a timeline row stores (the API's ``text``), rendered from the
event's code and data, sentence by sentence as the services always wrote it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.timefmt import iso_utc
from sessions_app.models import SessionEvent
from sessions_app.services.ai_block import session_block_ai, session_takeover, session_unblock_ai
from sessions_app.services.assignment import session_tabulations_add
from sessions_app.services.lifecycle import (
    session_activate,
    session_change_status,
    session_close,
    session_pause,
    session_reopen,
    session_resume,
)
from tests.support import factories

pytestmark = pytest.mark.django_db


def _texts(session) -> list[str]:
    return list(SessionEvent.objects.filter(session=session).values_list("text", flat=True))


def test_each_service_stores_its_sentence_in_english(chat_session, tabulation):
    session_activate(session=chat_session, actor="agent:ana")
    until = timezone.now() + timedelta(hours=1)
    session_pause(session=chat_session, actor="agent:ana", paused_until=until, reason="almoço")
    session_resume(session=chat_session, actor="agent:ana")
    session_block_ai(session=chat_session, minutes=15, actor="agent:ana")
    session_unblock_ai(session=chat_session, actor="agent:ana")
    session_takeover(
        session=chat_session, actor="agent:ana", reason="An agent replied.", minutes=30
    )
    session_tabulations_add(session=chat_session, tabulations=[tabulation], actor="agent:ana")
    session_close(session=chat_session, end_reason="Resolvido", actor="agent:ana")
    session_reopen(session=chat_session, actor="agent:ana")

    assert _texts(chat_session) == [
        "Session is active.",
        f"Session paused until {iso_utc(until)}. almoço",
        "Session resumed.",
        "AI blocked for 15 min.",
        "AI unblocked.",
        "Human takeover: AI blocked for 30 min. An agent replied.",
        "Tag added: Lead.",
        "Session closed: Resolvido",
        "Session reopened.",
    ]


def test_a_status_set_through_the_api_names_it_as_the_api_does(organization):
    session = factories.make_session(
        contact=factories.make_contact(organization, phone="5511911112222"),
        instance=factories.make_instance(organization),
    )
    session_change_status(session=session, status="ACTIVE", actor="api:crm")
    assert _texts(session) == ["Status changed to ACTIVE."]
