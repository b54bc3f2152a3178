from messaging.models import MessageKind, TranscriptionStatus
from tests.support import factories, media_files
from tests.support.openai_server import CHAT, TRANSCRIPTIONS
from tests.support.transcription import media_message, run_transcription
from transcription.models import TranscriptionCache


def test_the_same_audio_twice_calls_the_model_once(chat_session, openai_api, media, organization):
    data = media.voice_ogg.read_bytes()
    other_session = factories.make_session(
        contact=factories.make_contact(organization), instance=chat_session.instance
    )
    first = media_message(chat_session, kind=MessageKind.VOICE, data=data, mimetype="audio/ogg")
    forwarded = media_message(
        other_session, kind=MessageKind.VOICE, data=data, mimetype="audio/ogg"
    )

    first = run_transcription(first)
    forwarded = run_transcription(forwarded)

    assert len(openai_api.requests_to(TRANSCRIPTIONS)) == 1
    assert forwarded.transcription_status == TranscriptionStatus.DONE
    assert forwarded.transcription == first.transcription == openai_api.transcript
    assert forwarded.transcription_model == "whisper-1"
    assert forwarded.media_duration == first.media_duration
    assert forwarded.media_sha256 == first.media_sha256
    assert TranscriptionCache.objects.get().sha256 == first.media_sha256


def test_a_different_prompt_asks_the_model_again(chat_session, openai_api, organization):
    png = media_files.make_png()
    first = media_message(chat_session, kind=MessageKind.IMAGE, data=png, mimetype="image/png")
    run_transcription(first)
    organization.transcription_settings = {"imagePrompt": "Só o texto visível."}
    organization.save()
    second = media_message(chat_session, kind=MessageKind.IMAGE, data=png, mimetype="image/png")

    run_transcription(second)

    assert [c.prompt for c in openai_api.vision_calls][1] == "Só o texto visível."
    assert len(openai_api.requests_to(CHAT)) == 2
    assert TranscriptionCache.objects.count() == 2


def test_failures_and_local_text_are_not_cached(chat_session, openai_api):
    openai_api.fail_next(CHAT, 400)
    png = media_files.make_png()
    failed = run_transcription(
        media_message(chat_session, kind=MessageKind.IMAGE, data=png, mimetype="image/png")
    )
    pdf = run_transcription(
        media_message(
            chat_session,
            kind=MessageKind.DOCUMENT,
            data=media_files.make_text_pdf(["Texto comum de um PDF qualquer"]),
            mimetype="application/pdf",
        )
    )

    assert failed.transcription_status == TranscriptionStatus.FAILED
    assert pdf.transcription_status == TranscriptionStatus.DONE
    assert TranscriptionCache.objects.count() == 0


def test_cached_transcripts_past_the_retention_are_deleted_daily(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from config.schedules import PERIODIC_TASKS
    from messaging.media.transcription import transcription_cache_cleanup

    settings.TRANSCRIPTION_CACHE_RETENTION_DAYS = 30
    old, recent = (
        TranscriptionCache.objects.create(sha256=f"{n}" * 64, variant="v", text="oi")
        for n in (1, 2)
    )
    TranscriptionCache.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert transcription_cache_cleanup.apply().get() == 1
    assert list(TranscriptionCache.objects.values_list("pk", flat=True)) == [recent.pk]
    assert PERIODIC_TASKS["transcription-cache-cleanup"] == (
        "messaging.media.transcription_cache_cleanup",
        86400,
    )
