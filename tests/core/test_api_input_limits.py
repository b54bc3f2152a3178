"""Input at or past the limits of a field or a parser: a clear 400, nothing written."""

from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from messaging.models import Message
from tests.support.api import assert_error


def test_an_email_longer_than_the_column_is_400(api_client):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".com"  # valid shape, 313 chars
    error = assert_error(
        api_client.post(
            "/api/v1/contacts", {"phone": "11987654321", "email": email}, format="json"
        ),
        400,
    )
    assert "email" in error["details"]
    assert not Contact.objects.exists()


def test_a_refused_session_by_phone_leaves_no_contact_behind(api_client, instance):
    response = api_client.post(
        "/api/v1/sessions",
        {
            "phone": "+55 31 8765-4321",
            "instanceId": str(instance.id),
            "assignedAgentId": "00000000-0000-0000-0000-000000000000",
        },
        format="json",
    )
    assert "assignedAgentId" in assert_error(response, 422)["details"]
    assert not Contact.objects.exists()


def test_include_messages_must_be_true_or_false(api_client, chat_session):
    response = api_client.get(f"/api/v1/sessions/{chat_session.id}?includeMessages=maybe")
    assert assert_error(response, 400)["details"] == {"includeMessages": ["Must be true or false."]}


def test_absurdly_nested_json_is_400(api_client):
    body = b"[" * 100_000 + b"]" * 100_000
    response = api_client.post("/api/v1/contacts", body, content_type="application/json")
    assert_error(response, 400)
    assert not Contact.objects.exists()


def test_absurdly_nested_content_in_a_form_is_400(api_client, chat_session):
    response = api_client.post(
        "/api/v1/messages",
        {"sessionId": str(chat_session.id), "content": "[" * 100_000},
        format="multipart",
    )
    assert "content" in assert_error(response, 400)["details"]
    assert not Message.objects.exists()


def test_an_upload_claiming_an_absurd_media_type_is_400(api_client, chat_session):
    upload = SimpleUploadedFile("x.bin", b"x" * 16, content_type="application/" + "x" * 200)
    response = api_client.post(
        "/api/v1/messages",
        {"sessionId": str(chat_session.id), "type": "MEDIA", "file": upload},
        format="multipart",
    )
    assert "mimeType" in assert_error(response, 400)["details"]
    assert not Message.objects.exists()
