from messaging.models import MessageKind, TranscriptionStatus
from tests.support.http_server import FakeHTTPServer, sequence
from tests.support.transcription import media_message, run_transcription


def _voice_from(gateway, chat_session):
    message = media_message(chat_session, kind=MessageKind.VOICE, data=b"", mimetype="audio/ogg")
    message.media_ref = {"url": f"{gateway.url}/media/1"}
    message.save()
    return message


def test_a_gateway_hiccup_is_retried(chat_session, openai_api, media, http_gateway):
    with FakeHTTPServer() as gateway:
        gateway.route(
            "GET",
            "/media/1",
            sequence(
                (503, {"error": "busy"}),
                (200, media.voice_ogg.read_bytes(), {"Content-Type": "audio/ogg"}),
            ),
        )
        message = run_transcription(_voice_from(gateway, chat_session))

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription_attempts == 2
    assert len(gateway.requests_to("/media/1")) == 2


def test_a_retry_uses_the_stored_media_instead_of_downloading_again(
    chat_session, openai_api, media, http_gateway
):
    openai_api.fail_next("/v1/audio/transcriptions", 500)
    with FakeHTTPServer() as gateway:
        gateway.route(
            "GET",
            "/media/1",
            lambda request: (200, media.voice_ogg.read_bytes(), {"Content-Type": "audio/ogg"}),
        )
        message = run_transcription(_voice_from(gateway, chat_session))

    assert message.transcription_status == TranscriptionStatus.DONE
    assert len(gateway.requests_to("/media/1")) == 1
    assert len(openai_api.uploads) == 1


def test_media_the_gateway_no_longer_has_fails_at_once(chat_session, openai_api, http_gateway):
    with FakeHTTPServer() as gateway:
        gateway.route("GET", "/media/1", lambda request: (404, {"error": "expired"}))
        message = run_transcription(_voice_from(gateway, chat_session))

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error == "media download failed: HTTP 404"
    assert len(gateway.requests_to("/media/1")) == 1
    assert openai_api.server.requests == []
