"""Blanking what a conversation said, row by row, keeping the rows.

Shared by the erasure of one contact and by retention: a message keeps its
id, session, author, kind, direction and times (reports count them) and
loses its text, media, transcription, payloads and earlier versions; the
files go from storage once the blanking commits.
"""

from collections.abc import Iterable

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from assistant.models import AssistantRun
from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus
from messaging.models import (
    DeliveryStatus as MessageDeliveryStatus,
)
from messaging.models import (
    Direction,
    Message,
    TranscriptionStatus,
    Turn,
    WebhookInbox,
)
from providers.models import SandboxOutboxMessage
from sessions_app.models import ChatSession, SessionEvent
from transcription.models import TranscriptionCache

NEEDLES_PER_QUERY = 100
CSAT_ANSWERED = "csat_answered"
UNFINISHED_TRANSCRIPTION = [TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING]


def _delete_files_after_commit(messages) -> int:
    files = 0
    for message in messages:
        if not message.media_file:
            continue
        # After the commit: a rolled-back erasure keeps its files.
        name, storage = message.media_file.name, message.media_file.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        files += 1
    return files


def messages_blank(message_ids: list, *, media_only: bool = False) -> dict:
    """Blank these messages' content (or only their media); call inside a transaction.

    Returns counts: ``messages`` blanked, ``mediaFiles`` deleted and
    ``transcriptionCache`` entries dropped (the cache is keyed by the media's
    bytes, so the transcription would otherwise outlive the message).
    """
    rows = list(Message.objects.filter(pk__in=message_ids).only("pk", "media_file", "media_sha256"))
    files = _delete_files_after_commit(rows)
    hashes = {m.media_sha256 for m in rows if m.media_sha256}
    cached = TranscriptionCache.objects.filter(sha256__in=hashes).delete()[0] if hashes else 0
    now = timezone.now()
    media = {
        "media_ref": {},
        "media_file": "",
        "media_filename": "",
        "media_sha256": "",
    }
    queryset = Message.objects.filter(pk__in=message_ids)
    # A transcription still to run would look for the file just deleted.
    queryset.filter(transcription_status__in=UNFINISHED_TRANSCRIPTION).update(
        transcription_status=TranscriptionStatus.SKIPPED
    )
    if media_only:
        count = queryset.update(**media, updated_at=now)
    else:
        # An unsent reply must not go out to a person who is no longer known.
        queryset.filter(
            direction=Direction.OUTBOUND, delivery_status=MessageDeliveryStatus.PENDING
        ).update(delivery_status=MessageDeliveryStatus.FAILED, failed_at=now)
        count = queryset.update(
            **media,
            text="",
            payload={},
            raw_payload={},
            transcription="",
            transcription_error="",
            edit_history=[],
            delivery_error="",
            # Gateways' titles may quote what failed (a template's parameter);
            # the code alone says why, for the reports.
            delivery_error_title="",
            external_id="",
            provider_message_id=None,
            idempotency_key=None,
            content_erased_at=now,
            updated_at=now,
        )
    return {"messages": count, "mediaFiles": files, "transcriptionCache": cached}


def _csat_answers_blank(events) -> int:
    """A survey's answer keeps its rating (a number from 1 to 5 says nothing
    about the person), not the comment quoted in its data and text."""
    count = 0
    for pk, data in events.filter(code=CSAT_ANSWERED).values_list("pk", "data"):
        rating = (data or {}).get("rating")
        count += SessionEvent.objects.filter(pk=pk).update(
            text="", data={"rating": rating} if isinstance(rating, int) else {}
        )
    return count


def session_events_blank(session_ids: list) -> int:
    """The timeline keeps codes, actors and times, not texts or data."""
    events = SessionEvent.objects.filter(session_id__in=session_ids)
    return events.exclude(code=CSAT_ANSWERED).update(text="", data={}) + _csat_answers_blank(events)


def csat_comments_blank(session_ids: list) -> int:
    """The survey's comment (a copy of what the customer wrote) goes; the rating stays."""
    _csat_answers_blank(SessionEvent.objects.filter(session_id__in=session_ids))
    return (
        ChatSession.objects.filter(pk__in=session_ids)
        .exclude(csat_comment="")
        .update(csat_comment="")
    )


def turns_blank(turn_ids: list) -> dict:
    """Blank the turns' merged text; an open one closes without being dispatched."""
    now = timezone.now()
    closed = Turn.objects.filter(pk__in=turn_ids, status="OPEN").update(
        status="CLOSED",
        closed_at=now,
        close_reason="erased",
        dispatch_status="SKIPPED",
        dispatch_reason="content erased",
    )
    count = Turn.objects.filter(pk__in=turn_ids).update(text="")
    runs = AssistantRun.objects.filter(turn_id__in=turn_ids).update(reason="", tool_calls=[])
    return {"turns": count, "openTurnsClosed": closed, "assistantRuns": runs}


def _text_contains_any(field: str, needles: Iterable[str]) -> list[Q]:
    """``Q`` filters matching rows whose ``field`` (as text) contains a needle, in chunks."""
    needles = sorted({n for n in needles if n})
    queries = []
    for start in range(0, len(needles), NEEDLES_PER_QUERY):
        q = Q()
        for needle in needles[start : start + NEEDLES_PER_QUERY]:
            q |= Q(**{f"{field}_text__contains": needle})
        queries.append(q)
    return queries


def deliveries_blank(organization_id, needles: Iterable[str], turn_ids: list) -> dict:
    """Blank the events sent to integrations that carried these ids or this content.

    A delivery not yet made is given up (FAILED): its payload is gone.
    """
    base = Delivery.objects.filter(organization_id=organization_id).annotate(
        payload_text=Cast("payload", TextField())
    )
    ids = set(base.filter(turn_id__in=turn_ids).values_list("pk", flat=True)) if turn_ids else set()
    for q in _text_contains_any("payload", needles):
        ids |= set(base.filter(q).values_list("pk", flat=True))
    ids = list(ids)
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )
    count = Delivery.objects.filter(pk__in=ids).update(
        payload={}, last_error="", updated_at=timezone.now()
    )
    attempts = DeliveryAttempt.objects.filter(delivery_id__in=ids).update(
        error="", response_excerpt=""
    )
    return {"deliveries": count, "deliveryAttempts": attempts}


def inbox_rows_delete(instance_ids: list, needles: Iterable[str]) -> int:
    """Delete the stored webhook bodies that mention the person (their phone, ids, messages)."""
    base = WebhookInbox.objects.filter(instance_id__in=instance_ids).annotate(
        body_text=Cast("body", TextField())
    )
    deleted = 0
    for q in _text_contains_any("body", needles):
        ids = list(base.filter(q).values_list("pk", flat=True))
        deleted += WebhookInbox.objects.filter(pk__in=ids).delete()[0]
    return deleted


def sandbox_outbox_delete(instance_ids: list, needles: Iterable[str]) -> int:
    """The sandbox gateway's record of what was sent to the person."""
    base = SandboxOutboxMessage.objects.filter(instance_id__in=instance_ids)
    needles = sorted({n for n in needles if n})
    deleted = 0
    for start in range(0, len(needles), NEEDLES_PER_QUERY):
        q = Q()
        for needle in needles[start : start + NEEDLES_PER_QUERY]:
            q |= Q(to__contains=needle) | Q(provider_message_id=needle)
        deleted += base.filter(q).delete()[0]
    return deleted


def admin_log_blank(model, object_ids: list, label: str) -> int:
    """The console's change history names objects by their text: keep the entry, not the name."""
    content_type = ContentType.objects.get_for_model(model)
    return LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in object_ids]
    ).update(object_repr=label, change_message="")
