import base64
import io

from django.conf import settings
from PIL import Image

from messaging.models import MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.transcription import media_message, run_transcription


def test_it_describes_an_image_with_the_vision_model(chat_session, openai_api):
    png = media_files.make_png()
    message = media_message(chat_session, kind=MessageKind.IMAGE, data=png, mimetype="image/png")

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == openai_api.description
    assert message.transcription_model == "gpt-4o-mini"
    [call] = openai_api.vision_calls
    assert call.model == "gpt-4o-mini"
    assert call.prompt == settings.TRANSCRIPTION_IMAGE_PROMPT
    assert "português do Brasil" in call.prompt
    assert call.images == [("image/png", png)]
    content = call.body["messages"][0]["content"]
    assert (
        content[1]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(png).decode()
    )
    assert call.body["max_completion_tokens"] == settings.TRANSCRIPTION_VISION_MAX_TOKENS


def test_it_sends_an_animated_sticker_as_a_png_of_its_first_frame(chat_session, openai_api):
    webp = media_files.make_animated_webp()
    message = media_message(
        chat_session, kind=MessageKind.STICKER, data=webp, mimetype="image/webp"
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.DONE
    [(mimetype, data)] = openai_api.vision_calls[0].images
    assert mimetype == "image/png"
    with Image.open(io.BytesIO(data)) as frame:
        assert frame.format == "PNG"
        assert frame.size == (128, 128)
        red, green, blue = frame.getpixel((5, 5))[:3]  # WebP is lossy: roughly red
        assert (red > 200, green < 40, blue < 40) == (True, True, True)


def test_the_organization_overrides_model_and_prompt(chat_session, openai_api, organization):
    organization.transcription_settings = {
        "visionModel": "gpt-4.1-mini",
        "imagePrompt": "Describe the picture in English.",
    }
    organization.save()
    message = media_message(
        chat_session, kind=MessageKind.IMAGE, data=media_files.make_png(), mimetype="image/png"
    )

    message = run_transcription(message)

    [call] = openai_api.vision_calls
    assert call.model == "gpt-4.1-mini"
    assert call.prompt == "Describe the picture in English."
    assert message.transcription_model == "gpt-4.1-mini"


def test_it_fails_a_file_that_is_not_an_image(chat_session, openai_api):
    message = media_message(
        chat_session,
        kind=MessageKind.IMAGE,
        data=b"<html>not an image</html>",
        mimetype="image/jpeg",
    )

    message = run_transcription(message)

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error.startswith("unreadable or unsupported image")
    assert openai_api.server.requests == []
