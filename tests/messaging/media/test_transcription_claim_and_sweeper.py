import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from config.schedules import PERIODIC_TASKS
from messaging.media.transcription import transcription_requeue_stale
from messaging.models import Message, MessageKind, TranscriptionStatus
from tests.support.openai_server import TRANSCRIPTIONS
from tests.support.transcription import media_message, run_transcription
from tests.support.worker import purge_broker


@pytest.fixture
def broker():
    """The test Redis broker, emptied before and after."""
    purge_broker()
    yield redis.Redis.from_url(settings.CELERY_BROKER_URL)
    purge_broker()


def queued_transcriptions(client) -> list[str]:
    """Message ids of the transcribe_message tasks waiting in the default queue."""
    ids = []
    for raw in client.lrange("celery", 0, -1):
        headers = json.loads(raw)["headers"]
        if headers["task"] == "messaging.media.transcribe_message":
            ids.append(headers["argsrepr"].strip("()',"))
    return ids


@pytest.fixture
def voice_note(chat_session, media):
    return media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg",
    )


def _age(message: Message, **fields) -> None:
    Message.objects.filter(pk=message.pk).update(**fields)


def test_a_duplicate_task_does_nothing(voice_note, openai_api):
    run_transcription(voice_note)
    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription_attempts == 1
    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 1


def test_a_message_another_worker_is_processing_is_left_alone(voice_note, openai_api):
    _age(voice_note, transcription_status=TranscriptionStatus.PROCESSING,
         transcription_started_at=timezone.now())  # fmt: skip

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.PROCESSING
    assert openai_api.server.requests == []


def test_a_task_takes_over_a_row_whose_worker_died(voice_note, openai_api):
    long_ago = timezone.now() - timedelta(seconds=settings.TRANSCRIPTION_TASK_TIME_LIMIT + 120)
    _age(voice_note, transcription_status=TranscriptionStatus.PROCESSING,
         transcription_started_at=long_ago, transcription_attempts=1)  # fmt: skip

    message = run_transcription(voice_note)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription_attempts == 2


def test_the_sweeper_requeues_stale_processing_rows(voice_note, broker):
    long_ago = timezone.now() - timedelta(seconds=settings.TRANSCRIPTION_TASK_TIME_LIMIT + 120)
    _age(voice_note, transcription_status=TranscriptionStatus.PROCESSING,
         transcription_started_at=long_ago, transcription_attempts=1)  # fmt: skip
    recent = media_message(voice_note.session, kind=MessageKind.VOICE, data=b"x", mimetype="")
    _age(recent, transcription_status=TranscriptionStatus.PROCESSING,
         transcription_started_at=timezone.now())  # fmt: skip

    transcription_requeue_stale()

    voice_note.refresh_from_db()
    recent.refresh_from_db()
    assert voice_note.transcription_status == TranscriptionStatus.PENDING
    assert recent.transcription_status == TranscriptionStatus.PROCESSING
    assert queued_transcriptions(broker) == [str(voice_note.pk)]


def test_the_sweeper_fails_rows_that_keep_killing_workers(voice_note, broker, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.TRANSCRIPTION_TASK_TIME_LIMIT + 120)
    _age(voice_note, transcription_status=TranscriptionStatus.PROCESSING,
         transcription_started_at=long_ago,
         transcription_attempts=settings.TRANSCRIPTION_MAX_ATTEMPTS)  # fmt: skip

    transcription_requeue_stale()

    voice_note.refresh_from_db()
    assert voice_note.transcription_status == TranscriptionStatus.FAILED
    assert voice_note.transcription_error == (
        f"worker lost; gave up after {settings.TRANSCRIPTION_MAX_ATTEMPTS} attempts"
    )
    assert queued_transcriptions(broker) == []


def test_the_sweeper_requeues_pending_rows_whose_task_was_lost(voice_note, broker):
    fresh = media_message(voice_note.session, kind=MessageKind.VOICE, data=b"x", mimetype="")
    stale_at = timezone.now() - timedelta(seconds=settings.TRANSCRIPTION_STALE_PENDING_SECONDS + 5)
    _age(voice_note, updated_at=stale_at)

    transcription_requeue_stale()
    transcription_requeue_stale()  # the second sweep leaves the re-queued row alone

    voice_note.refresh_from_db()
    assert voice_note.updated_at > stale_at
    assert queued_transcriptions(broker) == [str(voice_note.pk)]
    assert str(fresh.pk) not in queued_transcriptions(broker)


def test_the_sweeper_runs_every_minute():
    assert PERIODIC_TASKS["transcription-requeue-stale"] == (
        "messaging.media.transcription_requeue_stale",
        60,
    )
