"""Stored media is served only to users who may see its session, safely."""

import pytest
from django.urls import reverse

from messaging.models import MessageKind
from tests.support import factories
from tests.support.console import PNG_BYTES, make_media_message

pytestmark = pytest.mark.django_db


def media_url(message):
    return reverse("admin:messaging_message_media", args=[message.pk])


def test_an_image_is_served_inline_with_its_type(agent_client, chat_session):
    message = make_media_message(chat_session)
    response = agent_client.get(media_url(message))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_active_content_is_downloaded_not_rendered(agent_client, chat_session):
    for mimetype, name in [("text/html", "page.html"), ("image/svg+xml", "x.svg")]:
        message = make_media_message(
            chat_session,
            kind=MessageKind.DOCUMENT,
            data=b"<script>alert(1)</script>",
            name=name,
            mimetype=mimetype,
        )
        response = agent_client.get(media_url(message))
        assert response["Content-Disposition"].startswith("attachment"), mimetype
        assert "sandbox" in response["Content-Security-Policy"]


def test_a_message_without_a_stored_file_is_404(agent_client, chat_session):
    message = factories.make_message(chat_session, kind=MessageKind.IMAGE, text="")
    assert agent_client.get(media_url(message)).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, chat_session):
    message = make_media_message(chat_session)
    response = client.get(media_url(message))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
