import threading

from messaging.models import MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.http_server import FakeHTTPServer
from tests.support.media_gateway import CHUNK
from tests.support.openai_server import CHAT
from tests.support.transcription import media_message, run_transcription


def test_a_known_oversize_is_skipped_before_any_download(chat_session, openai_api, settings):
    limit = settings.TRANSCRIPTION_MAX_BYTES["image"]
    message = media_message(
        chat_session,
        kind=MessageKind.IMAGE,
        data=media_files.make_png(),
        mimetype="image/jpeg",
        media_size=limit + 1,
    )
    # Not base64: any attempt to download would fail the message instead.
    message.media_ref = {"base64": "!!! never fetched !!!"}
    message.save()

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == f"media is {limit + 1} bytes, over the {limit} limit"
    assert not message.media_file
    assert openai_api.server.requests == []


def test_an_oversize_seen_while_downloading_is_skipped(chat_session, openai_api, settings):
    settings.TRANSCRIPTION_MAX_BYTES = {**settings.TRANSCRIPTION_MAX_BYTES, "image": 1000}
    png = media_files.make_png(size=(800, 800))
    assert len(png) > 1000
    message = media_message(chat_session, kind=MessageKind.IMAGE, data=png, mimetype="image/png")

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == "media is over the 1000 bytes limit for image"
    assert not message.media_file
    assert openai_api.requests_to(CHAT) == []


def test_a_download_stops_at_the_kinds_limit(chat_session, openai_api, settings, http_gateway):
    settings.TRANSCRIPTION_MAX_BYTES = {**settings.TRANSCRIPTION_MAX_BYTES, "voice": 64 * 1024}
    served = threading.Event()

    def huge(request):
        served.set()
        return 200, b"\x00" * (4 * 1024 * 1024), {"Content-Type": "audio/ogg"}

    with FakeHTTPServer() as gateway:
        gateway.route("GET", "/media/1", huge)
        message = media_message(
            chat_session, kind=MessageKind.VOICE, data=b"", mimetype="audio/ogg"
        )
        message.media_ref = {"url": f"{gateway.url}/media/1"}
        message.save()

        message = run_transcription(message)

    assert served.is_set()
    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == "media is over the 65536 bytes limit for voice"
    # The adapter stopped reading one chunk past the limit, not at 4 MB.
    assert http_gateway.received == [64 * 1024 + CHUNK]
    assert not message.media_file
    assert openai_api.server.requests == []
