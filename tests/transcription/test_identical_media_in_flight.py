import threading

import pytest
from django.db import connection

from messaging.media import transcription as media_task
from messaging.models import MessageKind, TranscriptionStatus
from tests.support import factories
from tests.support.openai_server import TRANSCRIPTIONS
from tests.support.transcription import media_message, run_transcription


@pytest.mark.django_db(transaction=True)
def test_identical_bytes_in_flight_wait_for_the_first_answer(
    organization, chat_session, openai_api, media
):
    data = media.voice_ogg.read_bytes()
    other_session = factories.make_session(
        contact=factories.make_contact(organization), instance=chat_session.instance
    )
    first = media_message(chat_session, kind=MessageKind.VOICE, data=data, mimetype="audio/ogg")
    second = media_message(other_session, kind=MessageKind.VOICE, data=data, mimetype="audio/ogg")

    arrived, release = threading.Event(), threading.Event()
    answer = openai_api.server.routes[0].handler

    def slow_transcription(request):
        arrived.set()
        release.wait(30)
        return answer(request)

    openai_api.server.route("POST", TRANSCRIPTIONS, slow_transcription)

    def transcribe_first():
        try:
            media_task.transcription_process_message(message_id=str(first.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=transcribe_first)
    worker.start()
    try:
        assert arrived.wait(30)
        with pytest.raises(media_task._Retry) as waiting:
            media_task.transcription_process_message(message_id=str(second.pk))
        assert waiting.value.args == (5.0,)  # when told to look again, not a failure's backoff
        second.refresh_from_db()
        assert second.transcription_status == TranscriptionStatus.PENDING
        assert second.transcription_attempts == 0  # waiting is not a failed attempt
        assert "the same media is being transcribed right now" in second.transcription_error
    finally:
        release.set()
        worker.join(30)

    second = run_transcription(second)

    assert second.transcription_status == TranscriptionStatus.DONE
    assert second.transcription == openai_api.transcript
    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 1
