"""The reply box: an AGENT message through message_create_outbound, sent by the instance."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from messaging.models import Author, Message
from messaging.outbound.sending import send_message
from providers.models import SandboxOutboxMessage
from tests.support.console import PNG_BYTES

pytestmark = pytest.mark.django_db


def reply(client, session, data, capture):
    url = reverse("admin:sessions_app_chatsession_reply", args=[session.pk])
    with capture(execute=False) as callbacks:
        response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/{session.pk}/conversation/")
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    return messages, callbacks


def test_a_text_reply_is_an_agent_message_that_blocks_the_ai_and_reaches_the_outbox(
    agent_client, agent, chat_session, django_capture_on_commit_callbacks
):
    result, callbacks = reply(
        agent_client,
        chat_session,
        {"text": "Olá Maria, posso ajudar?", "reply_key": "k1"},
        django_capture_on_commit_callbacks,
    )
    assert result == [("success", "Message sent.")]
    message = Message.objects.get(session=chat_session)
    assert message.author == Author.AGENT
    assert message.direction == "OUTBOUND"
    assert message.text == "Olá Maria, posso ajudar?"
    assert message.sent_by_user == agent.user
    chat_session.refresh_from_db()
    assert chat_session.ai_blocked_until > timezone.now()
    assert chat_session.ai_blocked_by == "agent:ana"
    assert len(callbacks) == 1  # the send is queued once, after commit

    send_message(str(message.pk))
    outbox = SandboxOutboxMessage.objects.get(instance=chat_session.instance)
    assert (outbox.to, outbox.kind, outbox.text) == (
        "5511987654321",
        "text",
        "Olá Maria, posso ajudar?",
    )
    message.refresh_from_db()
    assert message.delivery_status == "SENT"
    assert message.provider_message_id == outbox.provider_message_id


def test_an_attachment_is_sent_as_media_with_the_text_as_caption(
    agent_client, chat_session, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png")
    result, _ = reply(
        agent_client,
        chat_session,
        {"text": "segue a foto", "attachment": upload, "reply_key": "k2"},
        django_capture_on_commit_callbacks,
    )
    assert result == [("success", "Message sent.")]
    message = Message.objects.get(session=chat_session)
    assert (message.kind, message.media_mimetype, message.media_filename) == (
        "image",
        "image/png",
        "photo.png",
    )
    assert message.media_file.read() == PNG_BYTES
    send_message(str(message.pk))
    outbox = SandboxOutboxMessage.objects.get(instance=chat_session.instance)
    assert (outbox.kind, outbox.text, outbox.media["size"]) == ("image", "segue a foto", 67)


def test_a_resubmitted_form_sends_once(
    agent_client, chat_session, django_capture_on_commit_callbacks
):
    data = {"text": "only once", "reply_key": "same-key"}
    reply(agent_client, chat_session, data, django_capture_on_commit_callbacks)
    result, callbacks = reply(agent_client, chat_session, data, django_capture_on_commit_callbacks)
    assert result == [("success", "That message was already sent.")]
    assert Message.objects.filter(session=chat_session).count() == 1
    assert callbacks == []


def test_an_empty_reply_is_refused(agent_client, chat_session, django_capture_on_commit_callbacks):
    result, _ = reply(
        agent_client, chat_session, {"text": "   "}, django_capture_on_commit_callbacks
    )
    assert result == [("error", "Write a message or attach a file.")]
    assert not Message.objects.exists()


def test_a_reply_to_a_closed_session_shows_the_services_error(
    agent_client, chat_session, django_capture_on_commit_callbacks
):
    chat_session.status = "CLOSED"
    chat_session.save()
    result, _ = reply(
        agent_client, chat_session, {"text": "hi"}, django_capture_on_commit_callbacks
    )
    assert result == [("error", "The session is closed; reopen it before sending.")]
    assert not Message.objects.exists()


def test_the_reply_appears_in_the_timeline_with_its_tick(
    agent_client, chat_session, django_capture_on_commit_callbacks
):
    reply(agent_client, chat_session, {"text": "on its way"}, django_capture_on_commit_callbacks)
    url = reverse("admin:sessions_app_chatsession_conversation", args=[chat_session.pk])
    body = agent_client.get(url).content.decode()
    assert "Agent · ana" in body
    assert 'data-status="pending"' in body
