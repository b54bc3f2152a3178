"""Exports: a real worker builds the ZIP; every file of it is checked."""

import io
import json
import os
import time
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from messaging.inbound.replies import reply_apply
from messaging.models import Author, Direction, Message, MessageKind
from privacy.models import Export, ExportStatus
from privacy.services.export import export_run, exports_expire_past_ttl
from providers.templates.sync import templates_sync
from sessions_app.models import SessionEvent
from sessions_app.services.csat import session_csat_asked, session_csat_record
from tests.support import factories
from tests.support.cloudapi import FakeCloudApi, make_cloudapi_instance
from tests.support.http_server import FakeHTTPServer
from tests.support.worker import purge_broker, running_worker

JPEG = b"\xff\xd8\xff\xe0 a photo of a receipt" + b"\x00" * 2048
OGG = b"OggS a voice note" + b"\x01" * 4096


def _history(organization, instance, tabulation):
    contact = factories.make_contact(
        organization, phone="5511987654321", name="Maria Souza", email="maria@example.com"
    )
    contact.tabulations.add(tabulation)
    contact.whatsapp_ids.create(organization=organization, wa_id="5511987654321@s.whatsapp.net")
    session = factories.make_session(contact=contact, instance=instance)
    SessionEvent.objects.create(
        organization=organization, session=session, code="assigned", text="Assigned to Ana"
    )
    first = factories.make_message(session, text="Olá, quero o preço do plano")
    edited = factories.make_message(
        session,
        text="Plano anual, por favor",
        edit_history=[{"text": "Plano mensal", "editedAt": "2026-01-01T10:00:00+00:00"}],
        edited_at=timezone.now(),
    )
    deleted = factories.make_message(
        session, text="mensagem que apaguei", deleted_at=timezone.now(), deleted_by=Author.CUSTOMER
    )
    photo = factories.make_message(
        session, kind=MessageKind.IMAGE, text="Segue o comprovante", media_mimetype="image/jpeg"
    )
    photo.media_file.save("comprovante.jpg", ContentFile(JPEG))
    voice = factories.make_message(
        session,
        kind=MessageKind.VOICE,
        text="",
        media_mimetype="audio/ogg; codecs=opus",
        transcription="quero cancelar",
    )
    voice.media_file.save("voz.ogg", ContentFile(OGG))
    reply = factories.make_message(
        session, text="Claro!", direction=Direction.OUTBOUND, author=Author.AI
    )
    return contact, [first, edited, deleted, photo, voice, reply]


def _check_archive(data: bytes, contact, messages) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    photo, voice = messages[3], messages[4]
    assert sorted(archive.namelist()) == sorted(
        [
            "README.txt",
            "contact.json",
            "sessions.json",
            "messages.json",
            f"media/{photo.pk}.jpg",
            f"media/{voice.pk}.ogg",
        ]
    )
    readme = archive.read("README.txt").decode()
    assert "Cópia dos dados pessoais" in readme and "messages.json" in readme

    card = json.loads(archive.read("contact.json"))
    assert (card["id"], card["name"], card["phone"], card["email"]) == (
        str(contact.pk),
        "Maria Souza",
        "5511987654321",
        "maria@example.com",
    )
    assert card["whatsappIds"] == ["5511987654321@s.whatsapp.net"]
    assert card["tags"] == ["Lead"]

    sessions = json.loads(archive.read("sessions.json"))
    assert len(sessions) == 1
    assert [e["text"] for e in sessions[0]["events"]] == ["Assigned to Ana"]

    stored = json.loads(archive.read("messages.json"))
    assert [m["id"] for m in stored] == [str(m.pk) for m in messages]
    assert [m["text"] for m in stored] == [m.text for m in messages]
    assert stored[1]["editHistory"] == [
        {"text": "Plano mensal", "editedAt": "2026-01-01T10:00:00+00:00"}
    ]
    assert stored[2]["deletedAt"] and stored[2]["deletedBy"] == "CUSTOMER"
    assert stored[3]["media"]["file"] == f"media/{photo.pk}.jpg"
    assert stored[4]["transcription"] == "quero cancelar"
    assert (stored[5]["direction"], stored[5]["author"]) == ("OUTBOUND", "AI")
    assert archive.read(f"media/{photo.pk}.jpg") == JPEG
    assert archive.read(f"media/{voice.pk}.ogg") == OGG


def _wait_ready(api_client, export_id, timeout=90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api_client.get(f"/api/v1/exports/{export_id}").json()
        if body["status"] in {"READY", "FAILED"}:
            return body
        time.sleep(0.3)
    raise AssertionError(f"export still {body['status']} after {timeout}s")


@pytest.mark.worker
def test_a_worker_builds_the_zip_and_the_api_serves_it(
    transactional_db, organization, instance, tabulation, api_client, settings
):
    contact, messages = _history(organization, instance, tabulation)
    purge_broker()
    with running_worker(extra_env={"MEDIA_ROOT": settings.MEDIA_ROOT}):
        response = api_client.post(f"/api/v1/contacts/{contact.pk}/export")
        assert response.status_code == 202
        assert response.json()["status"] == "PENDING"
        assert response.json()["downloadUrl"] is None
        body = _wait_ready(api_client, response.json()["id"])

    assert body["status"] == "READY", body["error"]
    assert (body["progress"], body["messagesCount"], body["mediaCount"]) == (100, 6, 2)
    assert body["downloadUrl"].endswith(f"/api/v1/exports/{body['id']}/download")
    download = api_client.get(body["downloadUrl"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    data = b"".join(download.streaming_content)
    assert len(data) == body["size"]
    _check_archive(data, contact, messages)


def test_the_command_builds_the_same_archive(organization, instance, tabulation, tmp_path):
    contact, messages = _history(organization, instance, tabulation)
    target = tmp_path / "out.zip"

    call_command("export_contact", str(contact.pk), "--output", str(target), stdout=io.StringIO())

    _check_archive(target.read_bytes(), contact, messages)
    export = Export.objects.get()
    assert (export.status, export.requested_by) == (ExportStatus.READY, "command")


def test_export_by_phone_in_any_format(contact, api_client):
    response = api_client.post("/api/v1/contacts/by-phone/+55 (11) 98765-4321/export")

    assert response.status_code == 202
    assert response.json()["contactId"] == str(contact.pk)
    missing = api_client.post("/api/v1/contacts/by-phone/5521900000000/export")
    assert missing.status_code == 404


def test_a_download_before_ready_or_after_24_hours_is_refused(contact, api_client):
    export_id = api_client.post(f"/api/v1/contacts/{contact.pk}/export").json()["id"]
    early = api_client.get(f"/api/v1/exports/{export_id}/download")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "export_not_ready"

    assert export_run(export_id) == ExportStatus.READY
    assert api_client.get(f"/api/v1/exports/{export_id}/download").status_code == 200
    export = Export.objects.get(pk=export_id)
    Export.objects.filter(pk=export_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    late = api_client.get(f"/api/v1/exports/{export_id}/download")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "export_expired"
    assert api_client.get(f"/api/v1/exports/{export_id}").json()["downloadUrl"] is None

    assert exports_expire_past_ttl() == 1
    assert not export.file.storage.exists(export.file.name)
    assert Export.objects.get(pk=export_id).status == ExportStatus.EXPIRED


def test_another_organization_cannot_export_or_read_an_export(
    contact, api_client, other_api_client
):
    refused = other_api_client.post(f"/api/v1/contacts/{contact.pk}/export")
    assert refused.status_code == 404
    assert not Export.objects.exists()
    refused = other_api_client.post(f"/api/v1/contacts/by-phone/{contact.phone}/export")
    assert refused.status_code == 404

    export_id = api_client.post(f"/api/v1/contacts/{contact.pk}/export").json()["id"]
    export_run(export_id)
    for path in [f"/api/v1/exports/{export_id}", f"/api/v1/exports/{export_id}/download"]:
        response = other_api_client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_erasing_the_contact_deletes_its_exports(
    contact, api_client, django_capture_on_commit_callbacks
):
    export_id = api_client.post(f"/api/v1/contacts/{contact.pk}/export").json()["id"]
    export_run(export_id)
    path = Export.objects.get(pk=export_id).file.path
    assert os.path.exists(path)

    with django_capture_on_commit_callbacks(execute=True):
        erased = api_client.post(
            f"/api/v1/contacts/{contact.pk}/erase", {"reason": "Pedido"}, format="json"
        )

    assert erased.json()["counts"]["exports"] == 1
    assert not Export.objects.exists()
    assert not os.path.exists(path)


OUT_OF_OFFICE = "Estamos fora do horário; voltamos às 8h."
SHIPPED = {
    "name": "pedido_enviado",
    "language": "pt_BR",
    "parameters": {
        "header": {"text": "#4521"},
        "body": ["Maria", "#4521"],
        "buttons": [{"index": 1, "subType": "url", "parameters": ["4521"]}],
    },
}
MENU = {
    "kind": "buttons",
    "body": "Como podemos ajudar?",
    "buttons": [{"id": "boleto", "title": "Segunda via"}, {"id": "cancelar", "title": "Cancelar"}],
}


def _rich_history(organization, api_client, server):
    """A session on the Cloud API with a template, a menu and its answer, a
    failure, an out-of-office text, an assignment and an answered survey."""
    cloud = make_cloudapi_instance(organization, server)
    templates_sync(instance=cloud)
    agent = factories.make_agent(organization, "ana", departments=["Financeiro"])
    contact = factories.make_contact(organization, phone="5511987654321", name="Maria")
    session = factories.make_session(
        contact=contact,
        instance=cloud,
        status="ACTIVE",
        whatsapp_window_expires_at=timezone.now() + timedelta(hours=20),
        assigned_department=agent.departments.get(),
        assigned_agent=agent,
    )
    ids = {}
    for kind, content in [
        ("TEMPLATE", {"template": SHIPPED}),
        ("INTERACTIVE", {"interactive": MENU}),
    ]:
        response = api_client.post(
            "/api/v1/messages",
            {"sessionId": str(session.pk), "type": kind, "content": content},
            format="json",
        )
        assert response.status_code == 201, response.content
        ids[kind] = response.json()["id"]
    Message.objects.filter(pk=ids["TEMPLATE"]).update(
        delivery_error_code="131047", delivery_error_title="Re-engagement message"
    )
    Message.objects.filter(pk=ids["INTERACTIVE"]).update(provider_message_id="wamid.MENU1")
    # The customer taps "Cancelar": the gateway's reply names the menu it answers.
    answer = Message(
        organization=organization,
        session=session,
        contact=contact,
        instance=cloud,
        direction=Direction.INBOUND,
        author=Author.CUSTOMER,
        kind=MessageKind.INTERACTIVE,
        payload={"reply": {"id": "cancelar", "title": "Cancelar"}, "quotedId": "wamid.MENU1"},
    )
    reply_apply(answer)
    answer.save()
    ids["REPLY"] = str(answer.pk)
    factories.make_message(
        session, text=OUT_OF_OFFICE, direction=Direction.OUTBOUND, author=Author.SYSTEM
    )
    session_csat_asked(session=session)
    session_csat_record(session=session, rating=4, comment="Rápido e educado")
    return contact, ids


def test_sessions_carry_the_survey_and_messages_what_the_customer_saw(
    organization, api_client, tmp_path
):
    with FakeHTTPServer() as server:
        FakeCloudApi(server)
        contact, ids = _rich_history(organization, api_client, server)
    target = tmp_path / "out.zip"

    call_command("export_contact", str(contact.pk), "--output", str(target), stdout=io.StringIO())

    archive = zipfile.ZipFile(target)
    [session] = json.loads(archive.read("sessions.json"))
    csat = session["csat"]
    assert (csat["rating"], csat["comment"], bool(csat["answeredAt"])) == (
        4,
        "Rápido e educado",
        True,
    )
    assert (session["department"], session["agent"]) == ("Financeiro", "ana")
    assert "waitingSince" in session
    stored = {m["id"]: m for m in json.loads(archive.read("messages.json"))}
    template = stored[ids["TEMPLATE"]]
    assert template["text"] == "Olá Maria, seu pedido #4521 saiu para entrega."
    assert template["template"] == {
        "name": "pedido_enviado",
        "language": "pt_BR",
        "header": "Pedido #4521",
        "headerMedia": None,
        "body": "Olá Maria, seu pedido #4521 saiu para entrega.",
        "footer": "Loja Centro",
        "buttons": ["Obrigado", "Rastrear"],
    }
    assert template["failure"] == {"code": "131047", "title": "Re-engagement message"}
    menu = stored[ids["INTERACTIVE"]]
    assert menu["interactive"]["body"] == "Como podemos ajudar?"
    assert [(o["id"], o["title"]) for o in menu["interactive"]["options"]] == [
        ("boleto", "Segunda via"),
        ("cancelar", "Cancelar"),
    ]
    assert menu["interactive"]["numberedText"] is False and menu["reply"] is None
    answer = stored[ids["REPLY"]]
    assert (answer["text"], answer["reply"]) == (
        "Cancelar",
        {
            "optionId": "cancelar",
            "title": "Cancelar",
            "toMessageId": ids["INTERACTIVE"],
            "typed": None,
        },
    )
    assert [m["text"] for m in stored.values() if m["author"] == "SYSTEM"] == [OUT_OF_OFFICE]
