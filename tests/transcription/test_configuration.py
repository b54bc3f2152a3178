import pytest

from messaging.models import MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.openai_server import TRANSCRIPTIONS
from tests.support.transcription import media_message, run_transcription


def test_without_a_key_model_kinds_are_skipped_not_crashed(chat_session, no_openai, media):
    voice = media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg",
    )
    image = media_message(
        chat_session, kind=MessageKind.IMAGE, data=media_files.make_png(), mimetype="image/png"
    )

    voice = run_transcription(voice)
    image = run_transcription(image)

    assert voice.transcription_status == TranscriptionStatus.SKIPPED
    assert voice.transcription_error == "transcription not configured"
    assert image.transcription_status == TranscriptionStatus.SKIPPED
    assert image.transcription_error == "transcription not configured"
    # The media is still kept for the agents.
    assert voice.media_file and voice.media_sha256


def test_without_a_key_documents_are_still_read(chat_session, no_openai):
    pdf = media_message(
        chat_session,
        kind=MessageKind.DOCUMENT,
        data=media_files.make_text_pdf(["Comprovante de pagamento aprovado"]),
        mimetype="application/pdf",
    )
    scanned = media_message(
        chat_session,
        kind=MessageKind.DOCUMENT,
        data=media_files.make_scanned_pdf(),
        mimetype="application/pdf",
    )

    pdf = run_transcription(pdf)
    scanned = run_transcription(scanned)

    assert pdf.transcription_status == TranscriptionStatus.DONE
    assert pdf.transcription == "Comprovante de pagamento aprovado"
    assert scanned.transcription_status == TranscriptionStatus.SKIPPED
    assert scanned.transcription_error == "transcription not configured"


@pytest.mark.parametrize(
    ("toggle", "kind", "reason"),
    [
        ("transcribe_audio", MessageKind.VOICE, "audio transcription is off for this instance"),
        ("transcribe_video", MessageKind.VIDEO, "video transcription is off for this instance"),
        ("describe_images", MessageKind.STICKER, "image description is off for this instance"),
        ("read_documents", MessageKind.DOCUMENT, "document reading is off for this instance"),
    ],
)
def test_each_kind_can_be_turned_off_per_instance(chat_session, openai_api, toggle, kind, reason):
    setattr(chat_session.instance, toggle, False)
    chat_session.instance.save()
    message = media_message(chat_session, kind=kind, data=b"hello", mimetype="text/plain")

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == reason
    assert openai_api.server.requests == []


def test_it_uses_the_organizations_language_and_key(chat_session, openai_api, media, organization):
    organization.transcription_language = "es-AR"
    organization.transcription_settings = {"audioModel": "gpt-4o-mini-transcribe"}
    organization.save()
    message = media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg",
    )

    message = run_transcription(message)

    [upload] = openai_api.uploads
    assert upload.language == "es"
    assert upload.model == "gpt-4o-mini-transcribe"
    assert message.transcription_language == "es"
    assert message.transcription_model == "gpt-4o-mini-transcribe"
    [request] = openai_api.requests_to(TRANSCRIPTIONS)
    assert request.headers["authorization"] == "Bearer sk-test-key"


def test_a_message_without_media_is_skipped(chat_session, openai_api):
    message = media_message(chat_session, kind=MessageKind.LOCATION, data=b"", mimetype="")

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == "location messages have no media to transcribe"
