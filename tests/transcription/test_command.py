from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.support import media_files
from tests.support.openai_server import TRANSCRIPTIONS


def transcribe(*args) -> str:
    out = StringIO()
    call_command("transcribe", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_prints_the_transcription_of_an_audio_file(openai_api, media, work_dir):
    assert transcribe(media.voice_ogg) == openai_api.transcript
    [upload] = openai_api.uploads
    assert upload.model == "whisper-1"
    assert upload.language == "pt"
    assert list(work_dir.iterdir()) == []


def test_it_asks_the_model_even_for_bytes_it_has_seen(db, openai_api, media):
    transcribe(media.voice_ogg)
    transcribe(media.voice_ogg)

    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 2


def test_it_takes_a_kind_and_a_model(openai_api, tmp_path):
    sticker = tmp_path / "sticker.bin"
    sticker.write_bytes(media_files.make_animated_webp())

    text = transcribe(sticker, "--kind", "sticker", "--vision-model", "gpt-4.1-mini")

    assert text == openai_api.description
    assert openai_api.vision_calls[0].model == "gpt-4.1-mini"


def test_it_reads_a_docx_without_any_configuration(no_openai, tmp_path):
    path = tmp_path / "orcamento.docx"
    path.write_bytes(media_files.make_docx())

    assert transcribe(path).splitlines()[1] == "Produto | Quantidade"


def test_it_explains_a_skip(no_openai, media):
    with pytest.raises(CommandError, match="Skipped: transcription not configured"):
        transcribe(media.speech_wav)


def test_it_explains_a_failure(openai_api, media):
    openai_api.fail_next(TRANSCRIPTIONS, 400)

    with pytest.raises(CommandError, match=r"Failed \(permanent\): OpenAI answered 400"):
        transcribe(media.speech_wav)


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        transcribe(tmp_path / "nope.ogg")
