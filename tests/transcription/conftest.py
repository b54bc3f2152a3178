import base64
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from messaging.media.transcription import transcribe_message
from messaging.models import Message, TranscriptionStatus
from providers import registry
from tests.support import factories
from tests.transcription import media_files
from tests.transcription.gateway import HTTPMediaAdapter
from tests.transcription.openai_server import FakeOpenAI

for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} is required by the transcription tests")


@dataclass(frozen=True)
class Media:
    speech_wav: Path
    voice_ogg: Path
    audio_3gp: Path
    video: Path
    silent_video: Path

    @property
    def speech_seconds(self) -> float:
        return media_files.duration(self.speech_wav)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Media:
    folder = tmp_path_factory.mktemp("media")
    wav = media_files.make_speech_wav(folder)
    return Media(
        speech_wav=wav,
        voice_ogg=media_files.make_voice_note(wav, folder),
        audio_3gp=media_files.make_3gp_audio(wav, folder),
        video=media_files.make_video_with_speech(wav, folder),
        silent_video=media_files.make_silent_video(folder),
    )


@pytest.fixture
def work_dir(settings, tmp_path) -> Path:
    """Where the backends keep temporary files; tests check it ends empty."""
    path = tmp_path / "transcription-work"
    path.mkdir()
    settings.TRANSCRIPTION_TMP_DIR = str(path)
    return path


@pytest.fixture
def openai_api(settings, work_dir):
    api = FakeOpenAI()
    api.server.start()
    settings.OPENAI_API_KEY = "sk-test-key"
    settings.OPENAI_BASE_URL = api.base_url
    yield api
    api.server.stop()


@pytest.fixture
def no_openai(settings, work_dir):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def http_gateway(monkeypatch):
    """Route the sandbox instance's downloads through HTTPMediaAdapter (ref {"url": ...})."""
    HTTPMediaAdapter.received = []
    monkeypatch.setitem(
        registry.ADAPTERS, "sandbox", "tests.transcription.gateway.HTTPMediaAdapter"
    )
    return HTTPMediaAdapter


def media_message(
    session, *, kind: str, data: bytes, mimetype: str, filename: str = "", **fields
) -> Message:
    """A stored inbound media message whose bytes the sandbox adapter hands back."""
    ref = {"base64": base64.b64encode(data).decode(), "mimetype": mimetype}
    if filename:
        ref["filename"] = filename
    fields.setdefault("transcription_status", TranscriptionStatus.PENDING)
    return factories.make_message(
        session,
        text="",
        kind=kind,
        media_ref=ref,
        media_mimetype=mimetype,
        media_filename=filename,
        **fields,
    )


def run_transcription(message: Message) -> Message:
    """Run the task in this process; transient failures retry at once (Celery eager retries)."""
    result = transcribe_message.apply(args=[str(message.pk)])
    if result.failed():
        raise result.result
    message.refresh_from_db()
    return message
