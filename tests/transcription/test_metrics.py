"""Transcriptions and OpenAI calls show in /metrics: what ran, what it cost, what failed."""

import pytest
from django.db import transaction

from messaging.media.transcription import transcription_enqueue
from messaging.models import MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.metrics import scrape
from tests.support.openai_server import TRANSCRIPTIONS
from tests.support.pipeline import wait_for
from tests.support.transcription import media_message, run_transcription


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


@pytest.mark.worker
def test_a_transcription_in_a_worker_process_shows_in_the_web_processes_metrics(
    celery_worker, chat_session, settings
):
    before = scrape(settings)
    with transaction.atomic():
        message = media_message(
            chat_session,
            kind=MessageKind.DOCUMENT,
            data=media_files.make_docx(),
            mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename="orcamento.docx",
            transcription_status="",
        )
        transcription_enqueue(message)

    def moved(name, **labels):
        return scrape(settings).value(name, **labels) - before.value(name, **labels)

    assert wait_for(
        lambda: moved("atende_transcriptions_finished_total", kind="document", status="DONE"),
        timeout=60,
    )
    assert moved("atende_transcriptions_total", kind="document", outcome="done") == 1
    assert (
        moved(
            "atende_celery_tasks_total", task="messaging.media.transcribe_message", state="SUCCESS"
        )
        == 1
    )
    assert (
        moved(
            "atende_celery_task_duration_seconds_count", task="messaging.media.transcribe_message"
        )
        == 1
    )
