import pytest

from messaging.models import MessageKind, TranscriptionStatus
from tests.support.transcription import media_message, run_transcription


def test_it_transcribes_a_whatsapp_voice_note_as_is(chat_session, openai_api, media, work_dir):
    message = media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=media.voice_ogg.read_bytes(),
        mimetype="audio/ogg; codecs=opus",
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == openai_api.transcript
    assert message.transcription_error == ""
    assert message.transcription_model == "whisper-1"
    assert message.transcription_language == "pt"
    assert message.media_duration == pytest.approx(media.speech_seconds, abs=0.2)
    assert message.transcription_processed_at is not None
    [upload] = openai_api.uploads
    assert upload.model == "whisper-1"
    assert upload.language == "pt"
    # OGG/Opus is on the API's list: uploaded untouched, named so the API knows it.
    assert upload.filename == "audio.ogg"
    assert upload.data == media.voice_ogg.read_bytes()
    assert upload.audio_streams[0]["codec_name"] == "opus"
    assert list(work_dir.iterdir()) == []


def test_it_sends_a_wav_recording(chat_session, openai_api, media):
    message = media_message(
        chat_session,
        kind=MessageKind.AUDIO,
        data=media.speech_wav.read_bytes(),
        mimetype="audio/wav",
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    [upload] = openai_api.uploads
    assert upload.filename == "audio.wav"
    assert upload.duration == pytest.approx(media.speech_seconds, abs=0.1)


def test_it_converts_a_format_the_api_does_not_take(chat_session, openai_api, media, work_dir):
    message = media_message(
        chat_session,
        kind=MessageKind.AUDIO,
        data=media.audio_3gp.read_bytes(),
        mimetype="audio/3gpp",
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    [upload] = openai_api.uploads
    assert upload.filename == "audio.mp3"
    assert upload.audio_streams[0]["codec_name"] == "mp3"
    assert upload.audio_streams[0]["sample_rate"] == "16000"
    assert upload.audio_streams[0]["channels"] == 1
    assert upload.duration == pytest.approx(media.speech_seconds, abs=0.3)
    assert list(work_dir.iterdir()) == []


def test_it_fails_corrupt_audio_without_calling_the_model(chat_session, openai_api, work_dir):
    message = media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=b"OggS" + b"\x00garbage" * 50,
        mimetype="audio/ogg",
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error.startswith("unreadable or corrupt media")
    assert message.transcription_attempts == 1
    assert openai_api.requests_to("/v1/audio/transcriptions") == []
    assert list(work_dir.iterdir()) == []


def test_it_stores_the_downloaded_media_on_the_message(chat_session, openai_api, media):
    data = media.voice_ogg.read_bytes()
    message = media_message(chat_session, kind=MessageKind.VOICE, data=data, mimetype="audio/ogg")

    message = run_transcription(message)

    assert message.media_file.name.endswith("/voice.ogg")
    with message.media_file.open("rb") as stored:
        assert stored.read() == data
    assert message.media_size == len(data)
    assert len(message.media_sha256) == 64
