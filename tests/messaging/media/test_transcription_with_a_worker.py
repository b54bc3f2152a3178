import time

import pytest
from django.db import transaction

from messaging.media.transcription import transcription_enqueue
from messaging.models import Message, MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.transcription import media_message


def wait_for_status(message_id, statuses, timeout=60) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = Message.objects.get(pk=message_id)
        if message.transcription_status in statuses:
            return message
        time.sleep(0.2)
    raise AssertionError(f"transcription still {message.transcription_status} after {timeout}s")


@pytest.mark.worker
def test_a_stored_document_is_read_by_a_real_worker(celery_worker, chat_session):
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
        assert message.transcription_status == TranscriptionStatus.PENDING

    message = wait_for_status(message.pk, {"DONE", "FAILED", "SKIPPED"})

    assert message.transcription_status == TranscriptionStatus.DONE, message.transcription_error
    assert message.transcription.startswith("Pedido de orçamento para a filial Centro.")
    assert "Cadeira | 12" in message.transcription
    assert message.media_sha256
