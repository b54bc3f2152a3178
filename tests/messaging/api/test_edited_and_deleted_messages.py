"""The API shows an edited message's current text and hides a deleted one's content."""

from datetime import UTC, datetime

from messaging.models import MessageKind
from tests.support import factories

URL = "/api/v1/messages"
AT = datetime(2025, 10, 21, 14, 33, 9, tzinfo=UTC)


def test_an_edited_message_has_its_current_text_and_edited_true(api_client, chat_session):
    message = factories.make_message(
        chat_session,
        text="pedido 4512",
        edited_at=AT,
        edit_history=[{"text": "pedido 4521", "replacedAt": "2025-10-21T14:33:09Z"}],
    )
    body = api_client.get(f"{URL}/{message.id}").json()
    assert (body["content"], body["edited"], body["editedAt"], body["deleted"]) == (
        {"text": "pedido 4512"},
        True,
        "2025-10-21T14:33:09Z",
        False,
    )


def test_a_deleted_message_has_deleted_true_and_no_content(api_client, chat_session):
    voice = factories.make_message(
        chat_session,
        text="",
        kind=MessageKind.VOICE,
        media_mimetype="audio/ogg",
        transcription="meu cartão é 1234",
        transcription_status="DONE",
        payload={"quotedId": "x"},
        deleted_at=AT,
        deleted_by="CUSTOMER",
    )
    body = api_client.get(f"{URL}/{voice.id}").json()
    assert (body["deleted"], body["deletedAt"], body["deletedBy"]) == (
        True,
        "2025-10-21T14:33:09Z",
        "CUSTOMER",
    )
    assert (body["content"], body["transcription"], body["payload"]) == ({"text": ""}, "", {})
    listed = api_client.get(URL, {"sessionId": str(chat_session.id)}).json()["data"][0]
    assert (listed["content"], listed["deleted"]) == ({"text": ""}, True)
    assert api_client.get(f"{URL}/{voice.id}/media").status_code == 404
