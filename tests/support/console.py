"""Console helpers: a logged-in client and a stored media message."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from messaging.models import MessageKind
from tests.support import factories

# A 1x1 transparent PNG.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def login(agent_or_user, language: str = "en") -> Client:
    """A logged-in console client. These tests read the console in English
    (the agent's language switch, as a cookie); test_language.py reads it in
    Portuguese, the default."""
    user = getattr(agent_or_user, "user", agent_or_user)
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def make_media_message(
    session,
    *,
    kind=MessageKind.IMAGE,
    data=PNG_BYTES,
    name="photo.png",
    mimetype="image/png",
    **fields,
):
    message = factories.make_message(
        session,
        text=fields.pop("text", ""),
        kind=kind,
        media_mimetype=mimetype,
        media_filename=name,
        media_size=len(data),
        **fields,
    )
    message.media_file.save(name, ContentFile(data), save=True)
    return message
