from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ValidationError
from integrations.models import Delivery
from integrations.services import integration_create
from messaging.models import Message, MessageKind, TranscriptionStatus, Turn
from messaging.pipeline import on_message_status_changed
from messaging.turns.close import turn_close_due, turn_nudge_after_transcription
from tests.support.pipeline import customer_says


def test_a_finished_transcription_closes_a_turn_that_only_waited_for_it(
    chat_session, integration, django_capture_on_commit_callbacks
):
    audio = customer_says(chat_session, "", kind=MessageKind.VOICE)
    Turn.objects.update(last_message_at=timezone.now() - timedelta(seconds=30))
    Message.objects.filter(pk=audio.pk).update(
        transcription="pode me ligar?", transcription_status=TranscriptionStatus.DONE
    )
    with django_capture_on_commit_callbacks() as callbacks:
        turn_nudge_after_transcription(audio.pk)
    assert len(callbacks) == 1  # the close is queued now, not at the next poll
    chat_session.refresh_from_db()
    assert turn_close_due(chat_session.id, chat_session.concat_seq) == "closed"
    assert Turn.objects.get().text == "[áudio] pode me ligar?"


def test_a_transcription_finishing_inside_the_window_leaves_it_to_the_window(
    chat_session, django_capture_on_commit_callbacks
):
    audio = customer_says(chat_session, "", kind=MessageKind.VOICE)
    with django_capture_on_commit_callbacks() as callbacks:
        turn_nudge_after_transcription(audio.pk)
    assert callbacks == []


def test_a_status_change_is_published_once_per_status(chat_session, organization, receiver):
    integration_create(
        organization=organization, name="crm", url=receiver.url, events=["message.status"]
    )
    message = Message.objects.create(
        organization=organization,
        session=chat_session,
        contact=chat_session.contact,
        instance=chat_session.instance,
        direction="OUTBOUND",
        author="AGENT",
        text="oi",
        delivery_status="DELIVERED",
    )
    on_message_status_changed(message)
    on_message_status_changed(message)
    delivery = Delivery.objects.get()
    assert delivery.payload["message"]["status"] == "DELIVERED"
    assert delivery.event == "message.status"


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "ftp://x", "events": ["turn.ready"]},
        {"url": "http://127.0.0.1/x", "events": []},
        {"url": "http://127.0.0.1/x", "events": ["turn.read"]},
    ],
)
def test_an_integration_needs_an_http_url_and_known_events(organization, fields):
    with pytest.raises(ValidationError):
        integration_create(organization=organization, name="x", **fields)
