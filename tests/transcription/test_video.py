import pytest

from messaging.models import MessageKind, TranscriptionStatus
from tests.support.transcription import media_message, run_transcription


def test_it_transcribes_the_audio_track_of_a_video(chat_session, openai_api, media, work_dir):
    message = media_message(
        chat_session, kind=MessageKind.VIDEO, data=media.video.read_bytes(), mimetype="video/mp4"
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == openai_api.transcript
    assert message.transcription_model == "whisper-1"
    [upload] = openai_api.uploads
    # Only the extracted audio travels: mono, 16 kHz, no picture.
    assert upload.video_streams == []
    [audio] = upload.audio_streams
    assert audio["channels"] == 1
    assert audio["sample_rate"] == "16000"
    assert upload.duration == pytest.approx(media.speech_seconds, abs=0.3)
    assert message.media_duration == pytest.approx(media.speech_seconds, abs=0.3)
    assert list(work_dir.iterdir()) == []


def test_it_skips_a_video_without_an_audio_track(chat_session, openai_api, media, work_dir):
    message = media_message(
        chat_session,
        kind=MessageKind.VIDEO,
        data=media.silent_video.read_bytes(),
        mimetype="video/mp4",
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == "the video has no audio track"
    assert message.media_duration == pytest.approx(2.0, abs=0.1)
    assert openai_api.server.requests == []
    assert list(work_dir.iterdir()) == []


def test_a_video_whose_audio_is_too_long_for_one_request_fails_saying_so(
    chat_session, openai_api, media, work_dir, monkeypatch
):
    # As if the extracted MP3 were past OpenAI's 25 MB (a ~2 h video).
    monkeypatch.setattr("transcription.backends.OPENAI_AUDIO_UPLOAD_LIMIT", 1000)
    message = media_message(
        chat_session, kind=MessageKind.VIDEO, data=media.video.read_bytes(), mimetype="video/mp4"
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error == "the audio is too long to transcribe in one request"
    assert openai_api.uploads == []
    assert list(work_dir.iterdir()) == []
