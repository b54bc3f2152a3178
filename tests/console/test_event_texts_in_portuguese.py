"""No English in the Portuguese console: every timeline event code, rendered
from its code and data, and the reasons the system writes, on every page
kind an agent opens."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from messaging.models import MessageKind, TranscriptionStatus
from sessions_app.event_text import HANDED_OFF_PREFIX, RENDERERS, event_display_text
from sessions_app.models import SessionEvent
from sessions_app.services.ai_block import session_takeover
from sessions_app.services.events import session_event_record
from tests.support import factories
from tests.support.console import login
from transcription.results import NOT_CONFIGURED

# One event of each code, with the data its service stores.
SAMPLES = {
    "created": {"startedBy": "CUSTOMER"},
    "status_changed": {"from": "QUEUED", "to": "PAUSED", "reason": "Pause time is over."},
    "ai_blocked": {"until": "2026-03-10T15:00:00Z", "reason": "", "minutes": 15},
    "takeover": {"until": "2026-03-10T15:00:00Z", "reason": "An agent replied.", "minutes": 30},
    "ai_unblocked": {"previousUntil": "2026-03-10T15:00:00Z", "expired": True},
    "assigned": {"departmentId": "x", "names": ["Vendas"]},
    "csat_answered": {"rating": 4, "comment": "rápido"},
    "tag_added": {"tabulationId": "x", "tag": "Urgente"},
    "tag_removed": {"tabulationId": "x", "tag": "Urgente"},
    "bypass_bots": {"bypassBots": True},
    "command": {"command": "fechar", "args": "", "outcome": "closed"},
    "assistant_handoff": {"reason": "o cliente pediu uma pessoa", "runId": "x"},
    "assistant_reply_refused": {"reason": "ai_blocked", "message": "bloqueada", "text": "Oi"},
    "assistant_tool_ignored": {"tool": "buscar", "arguments": "{}", "error": "sem dados"},
}

# English that once reached the Portuguese console.
ENGLISH_FRAGMENTS = [
    "transcription not configured",
    "Handed off by the assistant",
    "The assistant handed",
    "endReason",
    "O etiqueta",
    "há 0 minuto",
]


def test_every_event_code_has_a_sample():
    assert set(SAMPLES) == set(RENDERERS)


@pytest.fixture
def timeline(chat_session):
    events = [
        session_event_record(session=chat_session, code=code, actor="agent:ana", data=data)
        for code, data in SAMPLES.items()
    ]
    session_takeover(
        session=chat_session, actor="assistant", reason=f"{HANDED_OFF_PREFIX}pediu uma pessoa"
    )
    message = factories.make_message(
        chat_session, text="", kind=MessageKind.VOICE, media_filename="audio.ogg"
    )
    message.transcription_status = TranscriptionStatus.SKIPPED
    message.transcription_error = NOT_CONFIGURED
    message.save(update_fields=["transcription_status", "transcription_error"])
    return events


def test_every_event_reads_in_portuguese_unlike_its_stored_english(timeline, organization):
    for event in SessionEvent.objects.filter(pk__in=[e.pk for e in timeline]):
        with translation.override("pt-br"):
            portuguese = event_display_text(event, organization)
        with translation.override("en"):
            english = event_display_text(event, organization)
        assert english == event.text, event.code
        assert portuguese != english, (event.code, portuguese)


def _page_urls(chat_session) -> list[str]:
    urls = [
        "/admin/",
        reverse("admin:sessions_app_chatsession_conversation", args=[chat_session.pk]),
        reverse("admin:sessions_app_chatsession_change", args=[chat_session.pk]),
    ]
    for model in admin.site._registry:
        try:
            urls.append(
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            )
        except NoReverseMatch:
            continue
    return urls


def test_no_console_page_shows_english_in_portuguese(timeline, agent, chat_session):
    client = login(agent, language=None)
    stored_english = [event.text for event in timeline if event.code != "command"]
    for url in _page_urls(chat_session):
        response = client.get(url)
        if response.status_code in (302, 403, 404):
            continue
        assert response.status_code == 200, url
        body = response.content.decode()
        for fragment in ENGLISH_FRAGMENTS + stored_english:
            assert fragment not in body, (url, fragment)
        if "/conversation/" in url:
            assert "não transcrito: transcrição não configurada" in body
            assert "[Mensagem de voz: audio.ogg" in body
