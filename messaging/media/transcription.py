"""Media messages → transcription: the Celery task, its enqueueing and its sweeper.

A message's transcription moves PENDING → PROCESSING → DONE | FAILED | SKIPPED.
Workers claim a row with a conditional UPDATE (PENDING → PROCESSING), so a
duplicate delivery of the task does nothing; a PROCESSING row older than the
task's time limit belonged to a worker that died and may be claimed again.
Transient failures put the row back to PENDING and retry with backoff.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import metrics
from core.backoff import backoff_seconds
from core.logging import bind_log_context
from messaging.media.files import media_bytes
from messaging.models import Message, MessageKind, TranscriptionStatus
from messaging.turns.close import turn_nudge_after_transcription
from providers.base import GatewayError, MediaTooLarge
from transcription.answer_cache import transcription_cache_prune
from transcription.config import transcription_config
from transcription.errors import TranscriptionError, TransientTranscriptionError
from transcription.results import NOT_CONFIGURED, SKIPPED
from transcription.routing import backend_for, needs_model
from transcription.services import transcribe

logger = logging.getLogger(__name__)


# Instance switches per message kind.
KIND_TOGGLES = {
    MessageKind.AUDIO: ("transcribe_audio", "audio transcription is off for this instance"),
    MessageKind.VOICE: ("transcribe_audio", "audio transcription is off for this instance"),
    MessageKind.VIDEO: ("transcribe_video", "video transcription is off for this instance"),
    MessageKind.IMAGE: ("describe_images", "image description is off for this instance"),
    MessageKind.STICKER: ("describe_images", "image description is off for this instance"),
    MessageKind.DOCUMENT: ("read_documents", "document reading is off for this instance"),
}


SWEEP_BATCH = 500


def transcription_enqueue(message: Message) -> None:
    """Mark a media message PENDING and queue its transcription after commit."""
    Message.objects.filter(pk=message.pk).update(transcription_status=TranscriptionStatus.PENDING)
    message.transcription_status = TranscriptionStatus.PENDING
    message_id = str(message.pk)
    transaction.on_commit(lambda: transcribe_message.delay(message_id))


def _stale_processing_age() -> timedelta:
    # Past the hard time limit the worker that claimed the row is gone.
    return timedelta(seconds=settings.TRANSCRIPTION_TASK_TIME_LIMIT + 60)


def retry_countdown(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff for the ``attempt``-th failure, capped; honours Retry-After."""
    return backoff_seconds(
        attempt,
        base=settings.TRANSCRIPTION_RETRY_BACKOFF,
        cap=settings.TRANSCRIPTION_RETRY_BACKOFF_MAX,
        retry_after=retry_after,
    )


class _Retry(Exception):
    def __init__(self, countdown: float) -> None:
        super().__init__(countdown)
        self.countdown = countdown


@shared_task(
    name="messaging.media.transcribe_message",
    bind=True,
    ignore_result=True,
    acks_late=True,
    # The cap is TRANSCRIPTION_MAX_ATTEMPTS, counted in the row (it survives
    # the sweeper's re-queues); Celery's own default of 3 would cut it short.
    max_retries=None,
    time_limit=settings.TRANSCRIPTION_TASK_TIME_LIMIT,
    soft_time_limit=settings.TRANSCRIPTION_TASK_TIME_LIMIT - 30,
)
def transcribe_message(self, message_id: str) -> None:
    """Download the media through the instance's adapter and turn it into text."""
    try:
        transcription_process_message(message_id=message_id)
    except _Retry as retry:
        raise self.retry(countdown=retry.countdown) from None


def _claim(message_id: str, now: datetime) -> bool:
    stale_before = now - _stale_processing_age()
    claimable = Q(transcription_status=TranscriptionStatus.PENDING) | Q(
        transcription_status=TranscriptionStatus.PROCESSING,
        transcription_started_at__lt=stale_before,
    )
    return bool(
        Message.objects.filter(claimable, pk=message_id).update(
            transcription_status=TranscriptionStatus.PROCESSING,
            transcription_started_at=now,
            transcription_attempts=F("transcription_attempts") + 1,
            updated_at=now,
        )
    )


def _finish(message: Message, started_at: datetime, *, status: str, **fields) -> bool:
    """Write the outcome if our claim still stands, then tell the pipeline."""
    now = timezone.now()
    updated = Message.objects.filter(
        pk=message.pk,
        transcription_status=TranscriptionStatus.PROCESSING,
        transcription_started_at=started_at,
    ).update(
        transcription_status=status,
        transcription_processed_at=now,
        updated_at=now,
        **fields,
    )
    if updated:
        metrics.TRANSCRIPTIONS_FINISHED.labels(message.kind, status).inc()
        _nudge_turn(message.pk)
    return bool(updated)


def _nudge_turn(message_id) -> None:
    """A turn waiting only for this media may close now."""
    try:
        turn_nudge_after_transcription(message_id)
    except Exception:
        # The outcome is stored; running the model again would not help. The
        # turn waiting for this media has a bounded wait and its own sweeper.
        logger.exception("turn_nudge_after_transcription failed for message %s", message_id)


def _fail(message, started_at, reason: str) -> None:
    logger.warning("transcription of message %s failed: %s", message.pk, reason)
    _finish(message, started_at, status=TranscriptionStatus.FAILED, transcription_error=reason)


def _skip(message, started_at, reason: str, **fields) -> None:
    _finish(
        message,
        started_at,
        status=TranscriptionStatus.SKIPPED,
        transcription_error=reason,
        **fields,
    )


def _retry_or_fail(message: Message, started_at: datetime, error: Exception) -> None:
    reason = getattr(error, "message", None) or str(error) or error.__class__.__name__
    attempts = message.transcription_attempts
    counts = getattr(error, "counts_as_attempt", True)
    if counts and attempts >= settings.TRANSCRIPTION_MAX_ATTEMPTS:
        _fail(message, started_at, f"{reason} (gave up after {attempts} attempts)")
        return
    retry_after = getattr(error, "retry_after", None)
    if counts:
        countdown = retry_countdown(attempts, retry_after)
    else:
        # Not a failure (the same media is being transcribed): look again
        # when told, not after a failure's backoff.
        countdown = float(retry_after or settings.TRANSCRIPTION_RETRY_BACKOFF)
    released = Message.objects.filter(
        pk=message.pk,
        transcription_status=TranscriptionStatus.PROCESSING,
        transcription_started_at=started_at,
    ).update(
        transcription_status=TranscriptionStatus.PENDING,
        transcription_error=f"attempt {attempts} failed, retrying in {countdown:.0f}s: {reason}",
        transcription_attempts=F("transcription_attempts") - (0 if counts else 1),
        updated_at=timezone.now(),
    )
    if released:
        logger.info("transcription of %s retries in %ss: %s", message.pk, countdown, reason)
        raise _Retry(countdown)


def transcription_process_message(*, message_id: str) -> None:
    """One attempt at a message's transcription (the task's body).

    Raises ``_Retry`` when a transient failure should be retried later.
    """
    now = timezone.now()
    if not _claim(message_id, now):
        return  # done, skipped, or another worker holds it
    message = Message.objects.select_related("instance", "organization").get(pk=message_id)
    bind_log_context(
        organization_id=message.organization_id,
        session_id=message.session_id,
        message_id=message_id,
    )
    started_at = message.transcription_started_at
    try:
        _process(message, started_at)
    except _Retry:
        raise
    except SoftTimeLimitExceeded as exc:
        _retry_or_fail(message, started_at, TransientTranscriptionError(f"timed out ({exc})"))
    except (OperationalError, InterfaceError):
        # The database went away mid-task: nothing to record now; the row
        # stays PROCESSING and the sweeper re-queues it once it is stale.
        raise
    except Exception as exc:
        # A bug or an unexpected library error: fail now with the reason
        # instead of leaving the row for the sweeper to retry blindly.
        logger.exception("transcription of message %s crashed", message.pk)
        _fail(message, started_at, f"internal error: {exc.__class__.__name__}: {exc}"[:500])


def _process(message: Message, started_at: datetime) -> None:
    """Limits and switches, media bytes, the backend, the outcome."""
    if message.transcription_attempts > settings.TRANSCRIPTION_MAX_ATTEMPTS:
        _fail(message, started_at, f"gave up after {settings.TRANSCRIPTION_MAX_ATTEMPTS} attempts")
        return
    if not message.is_media:
        _skip(message, started_at, f"{message.kind} messages have no media to transcribe")
        return

    limit = settings.TRANSCRIPTION_MAX_BYTES.get(message.kind, 0)
    if message.media_size and message.media_size > limit and not message.media_file:
        _skip(message, started_at, f"media is {message.media_size} bytes, over the {limit} limit")
        return

    toggle, toggle_reason = KIND_TOGGLES[message.kind]
    config = transcription_config(
        language=message.organization.transcription_language,
        overrides=message.organization.transcription_settings,
    )
    skip_reason = ""
    if not getattr(message.instance, toggle):
        skip_reason = toggle_reason
    elif not config.configured and needs_model(backend_for(kind=message.kind)):
        skip_reason = NOT_CONFIGURED

    try:
        data = media_bytes(message, limit)
    except MediaTooLarge:
        _skip(message, started_at, f"media is over the {limit} bytes limit for {message.kind}")
        return
    except GatewayError as exc:
        if skip_reason:  # nothing was going to be transcribed anyway
            _skip(message, started_at, skip_reason)
        elif exc.transient:
            _retry_or_fail(message, started_at, exc)
        else:
            _fail(message, started_at, f"media download failed: {exc.message}")
        return
    except LookupError as exc:  # unknown provider
        _fail(message, started_at, str(exc))
        return

    if skip_reason:
        _skip(message, started_at, skip_reason)
        return

    try:
        result = transcribe(
            data=data,
            kind=message.kind,
            mimetype=message.media_mimetype,
            filename=message.media_filename,
            config=config,
        )
    except TransientTranscriptionError as exc:
        _retry_or_fail(message, started_at, exc)
        return
    except TranscriptionError as exc:
        _fail(message, started_at, exc.message)
        return

    fields = {
        "transcription_model": result.model[:100],
        "transcription_language": result.language[:8],
    }
    if result.duration is not None:
        fields["media_duration"] = result.duration
    if result.status == SKIPPED:
        _skip(message, started_at, result.reason, **fields)
    else:
        _finish(
            message,
            started_at,
            status=TranscriptionStatus.DONE,
            transcription=result.text,
            transcription_error="",
            **fields,
        )


@shared_task(
    name="messaging.media.transcription_cache_cleanup",
    ignore_result=True,
    time_limit=600,
    soft_time_limit=570,
)
def transcription_cache_cleanup() -> int:
    """Beat (daily): cached transcripts past their retention go."""
    return transcription_cache_prune()


@shared_task(
    name="messaging.media.transcription_requeue_stale",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def transcription_requeue_stale() -> None:
    """Beat: queue again the messages whose transcription task was lost.

    - PROCESSING past the task's time limit: its worker died (``acks_late``
      redelivers too, but only after Redis' visibility timeout);
    - PENDING untouched for longer than any retry countdown: the task never
      reached the broker, or the broker lost it.
    """
    now = timezone.now()
    stuck = Message.objects.filter(
        transcription_status=TranscriptionStatus.PROCESSING,
        transcription_started_at__lt=now - _stale_processing_age(),
    ).values_list("pk", "transcription_started_at", "transcription_attempts")[:SWEEP_BATCH]
    for pk, started_at, attempts in stuck:
        still_stuck = Message.objects.filter(
            pk=pk,
            transcription_status=TranscriptionStatus.PROCESSING,
            transcription_started_at=started_at,
        )
        if attempts >= settings.TRANSCRIPTION_MAX_ATTEMPTS:
            if still_stuck.update(
                transcription_status=TranscriptionStatus.FAILED,
                transcription_error=f"worker lost; gave up after {attempts} attempts",
                transcription_processed_at=now,
                updated_at=now,
            ):
                _nudge_turn(pk)
        elif still_stuck.update(transcription_status=TranscriptionStatus.PENDING, updated_at=now):
            logger.warning("transcription of %s was stuck in PROCESSING: queued again", pk)
            transcribe_message.delay(str(pk))

    lost = Message.objects.filter(
        transcription_status=TranscriptionStatus.PENDING,
        updated_at__lt=now - timedelta(seconds=settings.TRANSCRIPTION_STALE_PENDING_SECONDS),
    ).values_list("pk", "updated_at")[:SWEEP_BATCH]
    for pk, updated_at in lost:
        # Touch the row so the next sweep leaves it alone while this task waits.
        if Message.objects.filter(
            pk=pk, transcription_status=TranscriptionStatus.PENDING, updated_at=updated_at
        ).update(updated_at=now):
            transcribe_message.delay(str(pk))
