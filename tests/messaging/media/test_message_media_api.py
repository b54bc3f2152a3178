"""Stored media reach integrators through the API, with their key; never as public files."""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from messaging.models import Message, MessageKind, Turn
from messaging.turns.dispatch import turn_ready_payload
from tests.support import factories

OGG = b"OggS" + b"\0" * 64


def _voice_upload(api_client, chat_session) -> dict:
    response = api_client.post(
        "/api/v1/messages",
        {
            "sessionId": str(chat_session.id),
            "type": "RECORDING",
            "file": SimpleUploadedFile("nota.ogg", OGG, content_type="audio/ogg"),
            "sendExternalMessage": "false",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_stored_file_is_fetched_with_the_api_key_of_its_organization(
    api_client, other_api_client, chat_session
):
    body = _voice_upload(api_client, chat_session)
    url = body["content"]["media"]["url"]
    assert url == f"http://testserver/api/v1/messages/{body['id']}/media"

    response = api_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/ogg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == OGG

    assert other_api_client.get(url).status_code == 404  # another tenant's: not found
    assert APIClient().get(url).status_code == 401


def test_a_message_without_a_stored_file_is_404(api_client, chat_session):
    message = factories.make_message(chat_session, text="oi")
    response = api_client.get(f"/api/v1/messages/{message.id}/media")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_turn_ready_points_at_the_api_with_the_public_base_url(chat_session, settings):
    settings.PUBLIC_BASE_URL = "https://atende.example.com/"
    message = factories.make_message(
        chat_session, kind=MessageKind.IMAGE, media_mimetype="image/png", media_filename="a.png"
    )
    message.media_file.save("a.png", ContentFile(b"\x89PNG"), save=True)
    turn = Turn.objects.create(
        organization=chat_session.organization,
        session=chat_session,
        first_message_at=message.created_at,
        last_message_at=message.created_at,
    )
    payload = turn_ready_payload(
        turn=turn, session=chat_session, messages=list(Message.objects.filter(pk=message.pk))
    )
    [sent] = payload["turn"]["messages"]
    assert sent["media"]["url"] == f"https://atende.example.com/api/v1/messages/{message.id}/media"


def test_media_files_are_not_served_publicly(client, chat_session):
    message = factories.make_message(chat_session, kind=MessageKind.IMAGE)
    message.media_file.save("b.png", ContentFile(b"\x89PNG"), save=True)
    assert client.get(f"/media/{message.media_file.name}").status_code == 404
