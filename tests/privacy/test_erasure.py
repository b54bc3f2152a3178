"""Erasing a contact: afterwards no table and no stored file identifies the person."""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from assistant.models import Assistant, AssistantRun
from contacts.models import Contact, ContactTabulation
from integrations.models import Delivery, DeliveryAttempt, Integration
from messaging.inbound.replies import offered_options_remember, reply_apply
from messaging.models import (
    Author,
    Direction,
    Message,
    MessageKind,
    TranscriptionStatus,
    Turn,
)
from privacy.models import Erasure
from providers.models import SandboxOutboxMessage
from sessions_app.models import ChatSession, SessionEvent
from sessions_app.services.csat import session_csat_record
from tests.support import factories
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook
from transcription.models import TranscriptionCache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

PHONE = "5511987654321"
LID = "218364519235678"
NAME = "Maria Souza"
REASON = "Pedido do titular, protocolo 2026-0042"


def _dump_every_table() -> str:
    """Every row of every table, all columns, as PostgreSQL prints them."""
    parts = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 - our own table names
            parts.extend(row[0] for row in cursor.fetchall())
    return "\n".join(parts)


def _stored_files(root: Path) -> list[Path]:
    return [Path(folder) / name for folder, _, names in os.walk(root) for name in names]


def _file(message: Message, name: str, data: bytes) -> None:
    message.media_file.save(name, ContentFile(data), save=False)
    message.media_sha256 = hashlib.sha256(data).hexdigest()
    message.media_size = len(data)
    message.save()


@pytest.fixture
def everything(organization, evolution_instance, settings, tabulation):
    """A contact with every kind of data Atende keeps about a person."""
    for name in ["text", "image", "document", "audio_voice", "messages_edited", "messages_delete"]:
        assert post_webhook(evolution_instance, load_fixture("evolution", name)).status_code == 200
    contact = Contact.objects.get(phone=PHONE)
    contact.email = "maria.souza@example.com"
    contact.external_id = "crm-maria-77"
    contact.profile_picture_url = "https://pps.whatsapp.net/v/maria-souza.jpg"
    contact.save()
    ContactTabulation.objects.create(contact=contact, tabulation=tabulation)
    session = ChatSession.objects.get(contact=contact)
    session.external_id = "ticket-maria-souza-9"
    session.assigned_customer_id = "cliente-maria-souza"
    session.save()
    SessionEvent.objects.create(
        organization=organization,
        session=session,
        code="note",
        text="Maria Souza pediu o cancelamento",
        data={"customer": NAME},
        actor="agent:ana",
    )

    by_kind = {m.kind: m for m in Message.objects.filter(contact=contact)}
    _file(by_kind[MessageKind.IMAGE], "foto-maria-souza.jpg", b"\xff\xd8 image of Maria Souza")
    _file(by_kind[MessageKind.DOCUMENT], "boleto.pdf", b"%PDF-1.4 boleto de Maria Souza")
    voice = by_kind[MessageKind.VOICE]
    _file(voice, "voz.ogg", b"OggS voice of Maria Souza")
    Message.objects.filter(pk=voice.pk).update(
        transcription="quero cancelar o plano da Maria Souza",
        transcription_status=TranscriptionStatus.DONE,
    )
    TranscriptionCache.objects.create(
        sha256=Message.objects.get(pk=voice.pk).media_sha256,
        variant="v1",
        text="quero cancelar o plano da Maria Souza",
    )
    edited = factories.make_message(
        session,
        text="Meu CPF é 123.456.789-00, corrigido",
        edit_history=[{"text": "Meu CPF é 123.456.789-01", "editedAt": "2026-01-01T00:00:00Z"}],
        edited_at=timezone.now(),
    )
    reply = factories.make_message(
        session,
        text="Olá Maria Souza, seu plano foi cancelado",
        direction=Direction.OUTBOUND,
        author=Author.AI,
        provider_message_id="BAE5MARIASOUZA0001",
        payload={"assistant": {"quoted": "Política de cancelamento para Maria Souza"}},
    )
    turn = Turn.objects.create(
        organization=organization,
        session=session,
        first_message_at=timezone.now(),
        last_message_at=timezone.now(),
        text="Meu CPF é 123.456.789-00, corrigido",
        status="CLOSED",
    )
    Message.objects.filter(pk=edited.pk).update(turn=turn)
    AssistantRun.objects.create(
        organization=organization,
        assistant=Assistant.objects.create(organization=organization, name="Bot"),
        session=session,
        turn=turn,
        status="REPLIED",
        reason="respondeu à Maria Souza",
        tool_calls=[{"name": "search", "arguments": {"query": "cancelar plano Maria Souza"}}],
        reply_message=reply,
        started_at=timezone.now(),
    )
    integration = Integration.objects.create(
        organization=organization, name="CRM", url="https://crm.example.com/hook"
    )
    delivery = Delivery.objects.create(
        organization=organization,
        integration=integration,
        event="turn.ready",
        dedupe_key=str(turn.pk),
        turn=turn,
        payload={"contact": {"phone": PHONE, "name": NAME}, "text": turn.text},
    )
    DeliveryAttempt.objects.create(
        delivery=delivery, number=1, status_code=500, response_excerpt="erro para Maria Souza"
    )
    status_delivery = Delivery.objects.create(
        organization=organization,
        integration=integration,
        event="message.status",
        dedupe_key="status-1",
        payload={"sessionId": str(session.pk), "contactName": NAME},
    )
    SandboxOutboxMessage.objects.create(
        instance=evolution_instance,
        to=PHONE,
        kind="text",
        text="Olá Maria Souza, seu plano foi cancelado",
        provider_message_id="BAE5MARIASOUZA0001",
    )
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        object_repr=str(contact),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Maria Souza"]}}]',
        user=factories.make_agent(organization, "ana").user,
    )
    texts = {
        text
        for message in Message.objects.filter(contact=contact)
        for text in [message.text, message.transcription, message.media_filename]
        + [revision.get("text", "") for revision in message.edit_history]
        if len(text) >= 8
    }
    assert "Olá, quero saber o preço do plano" in texts  # the webhook's own text
    assert "Foto do produto" in texts and "Segue o comprovante" in texts
    assert Message.objects.filter(contact=contact, deleted_at__isnull=False).exists()
    return {
        "contact": contact,
        "session": session,
        "delivery": delivery,
        "status_delivery": status_delivery,
        "texts": texts,
        "files": [Path(settings.MEDIA_ROOT) / m.media_file.name for m in [voice, edited, reply]],
    }


def test_after_erasure_no_table_and_no_file_identifies_the_person(
    everything, api_client, settings, django_capture_on_commit_callbacks
):
    contact = everything["contact"]
    # Someone else's webhook on the same instance stays.
    other = factories.make_contact(contact.organization, phone="5521912345678", name="Joana")
    before_dump = _dump_every_table()
    for needle in [PHONE, LID, NAME, *everything["texts"]]:
        assert needle in before_dump, needle
    media_root = Path(settings.MEDIA_ROOT)
    assert len(_stored_files(media_root)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/contacts/{contact.pk}/erase", {"reason": REASON}, format="json"
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["contactId"] == str(contact.pk)
    assert body["reason"] == REASON and body["source"] == "api"
    assert body["requestedBy"] == "api:test"
    counts = body["counts"]
    assert counts["messages"] == Message.objects.filter(contact=contact).count() == 6
    assert counts["mediaFiles"] == 3 and counts["transcriptionCache"] == 1
    assert counts["webhookInbox"] == 6 and counts["deliveries"] == 2

    dump = _dump_every_table()
    needles = [PHONE, PHONE[:4] + PHONE[5:], "98765-4321", LID, NAME, "Souza", "maria.souza"]
    needles += sorted(everything["texts"])
    for needle in needles:
        assert needle not in dump, needle
    assert _stored_files(media_root) == []

    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.email, contact.external_id) == (
        "Contato removido",
        None,
        "",
        "",
    )
    assert contact.erased_at is not None
    assert not contact.whatsapp_ids.exists() and not contact.contact_tabulations.exists()
    # The rows stay, for the reports: sessions, messages, turns, runs.
    assert ChatSession.objects.filter(contact=contact).count() == 1
    assert Message.objects.filter(contact=contact, content_erased_at__isnull=False).count() == 6
    assert Contact.objects.filter(pk=other.pk, name="Joana", phone="5521912345678").exists()


def test_erasing_twice_answers_the_first_record(contact, api_client):
    first = api_client.post(f"/api/v1/contacts/{contact.pk}/erase", {"reason": REASON}, "json")
    again = api_client.post(f"/api/v1/contacts/{contact.pk}/erase", {"reason": "outra"}, "json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Erasure.objects.count() == 1
    listed = api_client.get("/api/v1/erasures").json()
    assert [e["id"] for e in listed["data"]] == [first.json()["id"]]


def test_a_running_turn_is_closed_without_dispatch(chat_session, api_client):
    turn = Turn.objects.create(
        organization=chat_session.organization,
        session=chat_session,
        first_message_at=timezone.now(),
        last_message_at=timezone.now(),
        due_at=timezone.now() + timedelta(seconds=8),
        text="quero falar com alguém",
    )
    factories.make_message(chat_session, text="quero falar com alguém", turn=turn)

    response = api_client.post(
        f"/api/v1/contacts/{chat_session.contact_id}/erase", {"reason": REASON}, "json"
    )

    assert response.status_code == 201
    turn.refresh_from_db()
    assert (turn.status, turn.dispatch_status, turn.text) == ("CLOSED", "SKIPPED", "")
    assert not Delivery.objects.exists()


def test_a_new_message_from_the_same_number_starts_a_new_contact(evolution_instance, api_client):
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    erased = Contact.objects.get(phone=PHONE)
    api_client.post(f"/api/v1/contacts/{erased.pk}/erase", {"reason": REASON}, "json")

    # Even the very same webhook, sent again by the gateway.
    assert post_webhook(evolution_instance, load_fixture("evolution", "text")).status_code == 200

    fresh = Contact.objects.get(phone=PHONE)
    assert fresh.pk != erased.pk
    assert fresh.name == NAME
    assert ChatSession.objects.get(contact=fresh).pk != ChatSession.objects.get(contact=erased).pk


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}, {"reason": 5}])
def test_a_bad_reason_is_refused_and_erases_nothing(contact, api_client, body):
    response = api_client.post(f"/api/v1/contacts/{contact.pk}/erase", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    contact.refresh_from_db()
    assert contact.erased_at is None and contact.name == "Maria"


def test_the_body_must_be_json(contact, api_client):
    response = api_client.post(f"/api/v1/contacts/{contact.pk}/erase", {"reason": REASON})

    assert response.status_code == 415


def test_another_organization_cannot_erase_or_see_the_erasure(
    contact, api_client, other_api_client
):
    response = other_api_client.post(
        f"/api/v1/contacts/{contact.pk}/erase", {"reason": REASON}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    contact.refresh_from_db()
    assert contact.erased_at is None

    api_client.post(f"/api/v1/contacts/{contact.pk}/erase", {"reason": REASON}, format="json")
    assert other_api_client.get("/api/v1/erasures").json()["data"] == []


def test_the_command_erases_once(contact):
    call_command("erase_contact", str(contact.pk), "--reason", REASON, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("erase_contact", str(contact.pk), "--reason", REASON, stdout=open(os.devnull, "w"))  # noqa: SIM115

    erasure = Erasure.objects.get()
    assert (erasure.source, erasure.requested_by, erasure.contact_id) == (
        "command",
        "command",
        contact.pk,
    )
    assert Contact.objects.get(pk=contact.pk).phone is None


OUT_OF_OFFICE = "Estamos fora do horário; voltamos às 8h de segunda-feira."
CSAT_COMMENT = "atendente muito atenciosa, resolveu meu boleto"
BILL = "Sua fatura de R$ 89,90 do plano Ouro vence amanhã"
MENU = "Escolha o assunto do atendimento"


@pytest.fixture
def everything_else(everything, django_capture_on_commit_callbacks):
    """The same contact, with what surveys, templates, menus and hours store."""
    session = everything["session"]
    session.csat_asked_at = timezone.now()
    session_csat_record(session=session, rating=4, comment=CSAT_COMMENT)
    for text in [OUT_OF_OFFICE, "Como você avalia nosso atendimento? Responda de 1 a 5."]:
        factories.make_message(
            session, text=text, direction=Direction.OUTBOUND, author=Author.SYSTEM
        )
    factories.make_message(
        session,
        kind=MessageKind.TEMPLATE,
        text=BILL,
        direction=Direction.OUTBOUND,
        author=Author.AGENT,
        delivery_error_code="132000",
        delivery_error_title="Parameter 'R$ 89,90' does not match the template",
        payload={
            "template": {
                "name": "fatura",
                "language": "pt_BR",
                "category": "UTILITY",
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "89,90"}]}],
                "rendered": {"header": "", "body": BILL, "footer": "", "buttons": ["Pagar Ouro"]},
            }
        },
    )
    options = [
        {"id": "segunda-via", "title": "Segunda via boleto", "description": "", "section": ""},
        {"id": "cancelar-ouro", "title": "Cancelar plano Ouro", "description": "", "section": ""},
    ]
    menu = factories.make_message(
        session,
        kind=MessageKind.INTERACTIVE,
        text=f"{MENU}\n\n1 - Segunda via boleto\n2 - Cancelar plano Ouro",
        direction=Direction.OUTBOUND,
        author=Author.AI,
        payload={
            "interactive": {
                "kind": "buttons",
                "body": MENU,
                "header": "",
                "footer": "",
                "button": "",
                "options": options,
            },
            "fallback": True,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        offered_options_remember(menu)
    answer = Message(
        organization=session.organization,
        session=session,
        contact=session.contact,
        instance=session.instance,
        direction=Direction.INBOUND,
        author=Author.CUSTOMER,
        text="dois",
    )
    reply_apply(answer)
    answer.save()
    assert answer.payload["reply"]["title"] == "Cancelar plano Ouro"
    texts = {
        OUT_OF_OFFICE,
        CSAT_COMMENT,
        BILL,
        MENU,
        "R$ 89,90",
        "Segunda via boleto",
        "Cancelar plano Ouro",
        "Pagar Ouro",
        "Como você avalia",
    }
    return {**everything, "texts": everything["texts"] | texts}


def test_erasure_takes_surveys_templates_menus_and_out_of_office_texts(
    everything_else, api_client, django_capture_on_commit_callbacks
):
    contact, session = everything_else["contact"], everything_else["session"]
    options_key = f"atende:offered-options:{session.pk}"
    assert cache.get(options_key) is not None
    before_dump = _dump_every_table()
    for needle in everything_else["texts"]:
        assert needle in before_dump, needle

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/contacts/{contact.pk}/erase", {"reason": REASON}, format="json"
        )

    assert response.status_code == 201, response.content
    dump = _dump_every_table()
    needles = [PHONE, PHONE[:4] + PHONE[5:], LID, NAME, "Souza", "maria.souza", "dois"]
    for needle in needles + sorted(everything_else["texts"]):
        assert needle not in dump, needle
    assert cache.get(options_key) is None
    # The rating is a number with no one behind it: it stays for the reports.
    session.refresh_from_db()
    assert (session.csat_rating, session.csat_comment) == (4, "")
    answered = SessionEvent.objects.get(session=session, code="csat_answered")
    assert (answered.data, answered.text) == ({"rating": 4}, "")
    failed = Message.objects.get(session=session, kind=MessageKind.TEMPLATE)
    assert (failed.delivery_error_code, failed.delivery_error_title) == ("132000", "")
