"""Transcriptions and OpenAI calls show in /metrics: what ran, what it cost, what failed."""

from messaging.models import MessageKind, TranscriptionStatus
from tests.support.metrics import scrape
from tests.transcription.conftest import media_message, run_transcription
from tests.transcription.openai_server import TRANSCRIPTIONS


def test_a_voice_note_counts_its_run_its_seconds_and_one_openai_call(
    chat_session, openai_api, media, settings
):
    before = scrape(settings)
    message = media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg; codecs=opus",
    )

    assert run_transcription(message).transcription_status == TranscriptionStatus.DONE

    after = scrape(settings)

    def moved(name, **labels):
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("atende_transcriptions_total", kind="voice", outcome="done") == 1
    assert moved("atende_transcriptions_finished_total", kind="voice", status="DONE") == 1
    assert moved("atende_transcription_duration_seconds_count", kind="voice") == 1
    assert (
        abs(moved("atende_transcription_media_seconds_total", kind="voice") - media.speech_seconds)
        < 0.5
    )
    assert moved("atende_transcription_media_bytes_total", kind="voice") == len(
        media.voice_ogg.read_bytes()
    )
    assert moved("atende_openai_requests_total", operation="audio_transcription", outcome="ok") == 1


def test_an_openai_server_error_counts_as_a_transient_failure(
    chat_session, openai_api, media, settings
):
    openai_api.fail_next(TRANSCRIPTIONS, 503)
    before = scrape(settings)
    message = media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg; codecs=opus",
    )

    run_transcription(message)

    after = scrape(settings)
    labels = {"operation": "audio_transcription", "outcome": "transient_error"}
    assert (
        after.value("atende_openai_requests_total", **labels)
        - before.value("atende_openai_requests_total", **labels)
    ) >= 1
    assert after.value(
        "atende_transcriptions_total", kind="voice", outcome="transient_error"
    ) > before.value("atende_transcriptions_total", kind="voice", outcome="transient_error")
