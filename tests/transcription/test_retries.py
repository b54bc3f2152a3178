import pytest

from messaging.media import transcription as media_task
from messaging.models import MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.openai_server import CHAT, TRANSCRIPTIONS
from tests.support.transcription import media_message, run_transcription


@pytest.fixture
def voice_note(chat_session, media):
    return media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg",
    )


def test_it_retries_429_until_the_api_answers(voice_note, openai_api, work_dir):
    openai_api.fail_next(TRANSCRIPTIONS, 429, 429)

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == openai_api.transcript
    assert message.transcription_error == ""
    assert message.transcription_attempts == 3
    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 3
    assert list(work_dir.iterdir()) == []


def test_it_retries_server_errors_of_the_vision_model(chat_session, openai_api):
    openai_api.fail_next(CHAT, 500, 503)
    message = media_message(
        chat_session, kind=MessageKind.IMAGE, data=media_files.make_png(), mimetype="image/png"
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert len(openai_api.requests_to(CHAT)) == 3


def test_it_uses_every_attempt_up_to_the_cap(voice_note, openai_api, settings):
    assert settings.TRANSCRIPTION_MAX_ATTEMPTS == 6
    openai_api.fail_next(TRANSCRIPTIONS, 503, 503, 503, 503, 503)

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription_attempts == 6
    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 6


def test_a_400_fails_at_once_with_the_reason(voice_note, openai_api):
    openai_api.fail_next(TRANSCRIPTIONS, 400)

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error == "OpenAI answered 400: simulated 400"
    assert message.transcription_attempts == 1
    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 1


def test_it_gives_up_after_the_attempt_cap(voice_note, openai_api, settings):
    settings.TRANSCRIPTION_MAX_ATTEMPTS = 3
    openai_api.fail_next(TRANSCRIPTIONS, 429, 429, 429, 429, 429)

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error == (
        "OpenAI answered 429: simulated 429 (gave up after 3 attempts)"
    )
    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 3


def test_an_unreachable_server_is_retried_then_failed(voice_note, settings, work_dir):
    settings.OPENAI_API_KEY = "sk-test-key"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # discard port: connection refused
    settings.TRANSCRIPTION_MAX_ATTEMPTS = 2

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error.startswith("OpenAI unreachable")
    assert message.transcription_error.endswith("(gave up after 2 attempts)")
    assert list(work_dir.iterdir()) == []


def test_a_retry_puts_the_message_back_to_pending_and_honours_retry_after(voice_note, openai_api):
    openai_api.fail_next(TRANSCRIPTIONS, 429, headers={"Retry-After": "40"})

    with pytest.raises(media_task._Retry) as retry:
        media_task.transcription_process_message(message_id=str(voice_note.pk))

    assert retry.value.countdown == 40
    voice_note.refresh_from_db()
    assert voice_note.transcription_status == TranscriptionStatus.PENDING
    assert voice_note.transcription_error == (
        "attempt 1 failed, retrying in 40s: OpenAI answered 429: simulated 429"
    )


def test_backoff_doubles_and_is_capped(settings):
    settings.TRANSCRIPTION_RETRY_BACKOFF = 15
    settings.TRANSCRIPTION_RETRY_BACKOFF_MAX = 600

    assert [media_task.retry_countdown(n) for n in range(1, 8)] == [
        15.0,
        30.0,
        60.0,
        120.0,
        240.0,
        480.0,
        600.0,
    ]
    assert media_task.retry_countdown(1, retry_after=3600) == 600.0
