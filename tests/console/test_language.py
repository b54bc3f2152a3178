"""The console speaks Portuguese first, English on request, in Brazilian formats."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from messaging.models import Message
from sessions_app.models import SessionEvent
from sessions_app.services.ai_block import session_block_ai
from sessions_app.services.events import session_event_record
from tests.support import factories
from tests.support.console import login

LIST_URL = "/admin/sessions_app/chatsession/"


def conversation_url(session) -> str:
    return reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])


def test_the_console_is_in_portuguese_without_a_choice(agent):
    client = login(agent, language=None)
    body = client.get(LIST_URL).content.decode()
    assert '<html lang="pt-br"' in body
    assert "<title>Atendimentos | Console do Atende</title>" in body
    assert "Fila" in body and "Meus" in body


def test_the_login_page_is_in_portuguese_too(db):
    body = Client().get("/admin/login/").content.decode()
    assert '<html lang="pt-br"' in body
    assert "Usuário:" in body and "Acessar" in body  # Django's own catalogue
    assert 'id="atd-language"' in body  # the switch is there before logging in


def test_the_language_switch_is_remembered(agent):
    client = login(agent, language=None)
    answer = client.post("/i18n/setlang/", {"language": "en", "next": LIST_URL})
    assert answer.status_code == 302 and answer["Location"] == LIST_URL
    cookie = answer.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 364 * 24 * 3600
    assert "<title>Sessions | Atende console</title>" in client.get(LIST_URL).content.decode()
    client.post("/i18n/setlang/", {"language": "pt-br", "next": LIST_URL})
    assert "<title>Atendimentos | " in client.get(LIST_URL).content.decode()


def test_the_conversation_page_uses_the_agents_words(agent, chat_session):
    body = login(agent, language=None).get(conversation_url(chat_session)).content.decode()
    for words in [
        "Atendimento com Maria",
        'value="Assumir"',
        'value="Devolver para a IA"',
        'value="Pausar"',
        'value="Encerrar"',
        "Etiquetas",
        "Departamentos",
        "Na fila",  # the status badge; the stored status stays QUEUED
        'data-status="QUEUED"',
    ]:
        assert words in body, words


def test_phones_are_shown_as_people_write_them(agent, chat_session):
    client = login(agent, language=None)
    body = client.get(conversation_url(chat_session)).content.decode()
    assert "+55 11 98765-4321" in body
    assert "+55 11 98765-4321" in client.get(LIST_URL).content.decode()
    contacts = client.get("/admin/contacts/contact/").content.decode()
    assert "+55 11 98765-4321" in contacts


def test_an_action_answers_in_portuguese(agent, chat_session):
    client = login(agent, language=None)
    url = reverse("admin:sessions_app_chatsession_action", args=[chat_session.pk, "take-over"])
    response = client.post(url, {"minutes": "30"}, follow=True)
    notes = [m.message for m in response.context["messages"]]
    assert notes == ["Você assumiu: a IA está bloqueada por 30 minutos."]


def test_timeline_events_are_stored_in_english_and_shown_in_the_readers_language(
    agent, chat_session
):
    session_event_record(
        session=chat_session, code="created", actor="system", data={"startedBy": "CUSTOMER"}
    )
    session_block_ai(session=chat_session, minutes=15, actor="agent:ana", reason="")
    stored = list(SessionEvent.objects.filter(session=chat_session).values_list("text", flat=True))
    assert stored == ["Session opened (customer).", "AI blocked for 15 min."]

    portuguese = login(agent, language=None).get(conversation_url(chat_session))
    timeline = portuguese.content.decode()
    assert "Atendimento aberto (cliente)." in timeline
    assert "IA bloqueada por 15 min." in timeline
    english = login(agent, language="en").get(conversation_url(chat_session)).content.decode()
    assert "Session opened (customer)." in english and "AI blocked for 15 min." in english


def test_a_phone_command_and_a_free_reason_keep_what_people_typed(agent, chat_session):
    session_event_record(
        session=chat_session,
        code="command",
        actor="phone",
        data={"command": "pausar", "args": "2", "outcome": "paused for 2h"},
    )
    session_event_record(
        session=chat_session,
        code="status_changed",
        actor="agent:ana",
        data={"from": "ACTIVE", "to": "CLOSED", "reason": "Cliente desistiu"},
    )
    stored = SessionEvent.objects.filter(session=chat_session).values_list("text", flat=True)
    assert list(stored) == ["@pausar 2 → paused for 2h", "Session closed: Cliente desistiu"]
    body = login(agent, language=None).get(conversation_url(chat_session)).content.decode()
    assert "@pausar 2 → pausado por 2h" in body
    assert "Atendimento encerrado: Cliente desistiu" in body


def test_times_are_in_the_organizations_time_zone(agent, chat_session, organization):
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    message = factories.make_message(chat_session, text="Bom dia")
    Message.objects.filter(pk=message.pk).update(created_at=at)
    client = login(agent, language=None)

    # São Paulo (the default) is UTC-3: 15:00 UTC is 12:00 there.
    assert organization.timezone == "America/Sao_Paulo"
    assert "10/03 12:00" in client.get(conversation_url(chat_session)).content.decode()
    # Django's own pages (the message list) follow the same zone.
    assert "12:00" in client.get("/admin/messaging/message/").content.decode()

    organization.timezone = "Asia/Tokyo"
    organization.save(update_fields=["timezone"])
    assert "11/03 00:00" in client.get(conversation_url(chat_session)).content.decode()


def test_the_ai_badge_shows_the_block_end_in_local_time(agent, chat_session):
    session_block_ai(session=chat_session, minutes=90, actor="agent:ana", reason="")
    chat_session.refresh_from_db()
    local = chat_session.ai_blocked_until.astimezone(ZoneInfo("America/Sao_Paulo"))
    body = login(agent, language=None).get(LIST_URL).content.decode()
    assert f"IA bloqueada até {local:%H:%M}" in body


def test_numbers_and_dates_use_brazilian_formats():
    day = datetime(2026, 11, 30, 14, 5)
    with translation.override("pt-br"):
        assert formats.number_format(1234567.5, decimal_pos=2) == "1.234.567,50"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "30/11/2026"
        assert formats.date_format(day, "DATE_FORMAT") == "30 de Novembro de 2026"
    with translation.override("en"):
        assert formats.number_format(1234567.5, decimal_pos=2) == "1,234,567.50"


def test_the_status_filter_speaks_portuguese_and_keeps_the_dashboards_links(
    agent, chat_session, organization
):
    closed = factories.make_session(
        contact=factories.make_contact(organization, name="Bruno"),
        instance=chat_session.instance,
        status="CLOSED",
    )
    client = login(agent, language=None)
    body = client.get(LIST_URL).content.decode()
    for label in ["Na fila", "Ativo", "Pausado", "Encerrado"]:
        assert f"{label}</a>" in body, label
    queued = client.get(f"{LIST_URL}?status__exact=QUEUED").content.decode()
    assert "Maria" in queued and str(closed.contact.name) not in queued
