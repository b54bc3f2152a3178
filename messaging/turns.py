"""Concatenation (debounce): a burst of customer messages becomes one turn.

How it stays correct with many workers and across restarts:

- Each customer message increments ``session.concat_seq`` (an UPDATE, so
  messages of one session are serialized by the row lock) and joins the
  session's OPEN turn (one conditional UPDATE; the partial unique index
  ``one_open_turn_per_session`` makes "create if none" race-safe).
- Only the message that opens a turn schedules a task: ``turn_due`` with a
  countdown of the window. When it runs it reads the turn: later messages
  moved ``last_message_at``, so the window ends later → it schedules itself
  for the new end (one task per turn and pause in the burst, not one per
  message: each costs the broker, the worker and the database). At the end
  it claims the turn with a conditional UPDATE (OPEN and still at the
  sequence it read → CLOSED). Only one claimer can win; the same
  transaction assembles the text and writes the dispatch outbox rows, so a
  turn is closed and offered to the AI exactly once. A task of a turn that
  is no longer open ends the chain.
- State lives in PostgreSQL, not in the broker: if a countdown task is lost
  (Redis flushed, worker killed) the beat sweeper finds OPEN turns well
  past their window and closes them through the same claim.
- Bounds: a turn closes early at ``CONCAT_MAX_MESSAGES`` messages or
  ``CONCAT_MAX_WAIT_SECONDS`` after its first message. Media still being
  transcribed holds the close for up to ``CONCAT_MEDIA_WAIT_SECONDS``
  (counted from the turn's last message); then a placeholder goes instead.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.bulk import bulk_update_values
from messaging.models import (
    Message,
    MessageKind,
    TranscriptionStatus,
    Turn,
    TurnStatus,
    WebhookInbox,
)
from sessions_app.models import ChatSession
from sessions_app.services import WHATSAPP_WINDOW

logger = logging.getLogger(__name__)

WINDOW_MIN_SECONDS = 1
WINDOW_MAX_SECONDS = 60
# While media in a closing turn is still transcribing, check again this often
# (a finished transcription also nudges the close directly).
MEDIA_POLL_SECONDS = 2
TRANSCRIPTION_UNFINISHED = (TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING)

CLOSE_WINDOW = "window"
CLOSE_MAX_WAIT = "max_wait"
CLOSE_MAX_MESSAGES = "max_messages"
CLOSE_MEDIA_TIMEOUT = "media_timeout"
CLOSE_SWEPT = "swept"

LABELS = {
    MessageKind.AUDIO: "[áudio]",
    MessageKind.VOICE: "[áudio]",
    MessageKind.IMAGE: "[imagem]",
    MessageKind.STICKER: "[figurinha]",
    MessageKind.VIDEO: "[vídeo]",
    MessageKind.LOCATION: "[localização]",
    MessageKind.CONTACT: "[contato]",
    MessageKind.REACTION: "[reação]",
    MessageKind.INTERACTIVE: "[resposta]",
    MessageKind.UNSUPPORTED: "[mensagem não suportada]",
}
NO_TRANSCRIPTION = "(conteúdo não transcrito)"


def window_seconds(session_window: int | None) -> int:
    return max(WINDOW_MIN_SECONDS, min(WINDOW_MAX_SECONDS, session_window or 8))


# --- customer messages arrive ----------------------------------------------------


@dataclass
class _Segment:
    """Messages of one session going into one turn (an open one, or a new one)."""

    turn: Turn
    opened: bool
    messages: list[Message] = field(default_factory=list)


def turn_add_message(message: Message, *, inbox_partition: int | None = None) -> Turn:
    """Put one inbound customer message into its session's turn (see turns_assign)."""
    turns_assign([message], inbox_partition=inbox_partition)
    return message.turn


def turns_assign(
    messages: list[Message],
    *,
    inbox_partition: int | None = None,
    insert: Callable[[list[Message]], None] | None = None,
) -> None:
    """Put inbound customer messages (in arrival order, any sessions) into
    their sessions' turns; call inside the ingest transaction.

    The messages are stored already (their turn is then written with one
    UPDATE), or ``insert`` stores them once their turn is known (one INSERT,
    no UPDATE: the batched ingest).

    A message joins its session's open turn when it arrived before that
    turn's due time (its window, the max wait) and the turn has room;
    otherwise the open turn closes here (every message that arrived before
    its end is in: a partition is ingested in arrival order) and the message
    opens the next one. Set-based: one statement each for the sessions, the
    open turns, the joined turns, the new turns and the messages, whatever
    the number of messages. Sets ``turn``/``concat_seq`` on each message.
    """
    if not messages:
        return
    write = insert or _update_messages
    with transaction.atomic(savepoint=False):
        by_session: dict = {}
        for message in messages:
            by_session.setdefault(message.session_id, []).append(message)
        sessions = _bump_sessions(by_session)
        open_turns = {
            turn.session_id: turn
            for turn in Turn.objects.select_for_update().filter(
                session_id__in=list(by_session), status=TurnStatus.OPEN
            )
        }
        simple: list[_Segment] = []
        for session_id, session_messages in by_session.items():
            last_seq, session_window = sessions[session_id]
            first_seq = last_seq - len(session_messages) + 1
            for offset, message in enumerate(session_messages):
                message.concat_seq = first_seq + offset
            segments = _plan(
                session_messages,
                open_turns.get(session_id),
                window=window_seconds(session_window),
                inbox_partition=inbox_partition,
            )
            if len(segments) == 1:
                simple.append(segments[0])
            else:
                _write_in_order(segments, session_window, write)
        _write_together(simple, write)
        for segment in simple:
            _schedule(segment)


def _bump_sessions(by_session: dict) -> dict:
    """{session id: (its last sequence number now, its window)}: each
    session's sequence moved on by its messages, its last-message times and
    the 24-hour WhatsApp window set from their arrival."""
    values = []
    for session_id, session_messages in by_session.items():
        arrived = max(_arrival(m) for m in session_messages)
        values.append((session_id, len(session_messages), arrived, arrived + WHATSAPP_WINDOW))
    if connection.vendor == "postgresql":
        rows = ", ".join(
            ["(%s::uuid, %s::integer, %s::timestamptz, %s::timestamptz)"] * len(values)
        )
        with connection.cursor() as cursor:
            cursor.execute(_BUMP_SESSIONS.format(rows=rows), [v for row in values for v in row])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    # The embedded SQLite setup: the same, a session at a time.
    result = {}
    for session_id, count, arrived, window_end in values:
        ChatSession.objects.filter(pk=session_id).update(
            concat_seq=F("concat_seq") + count,
            last_message_at=Greatest(Coalesce("last_message_at", arrived), arrived),
            last_customer_message_at=Greatest(
                Coalesce("last_customer_message_at", arrived), arrived
            ),
            whatsapp_window_expires_at=Greatest(
                Coalesce("whatsapp_window_expires_at", window_end), window_end
            ),
        )
        result[session_id] = (
            ChatSession.objects.filter(pk=session_id)
            .values_list("concat_seq", "concat_timeout")
            .get()
        )
    return result


# Table names only are formatted in; rows are placeholders.
_BUMP_SESSIONS = (
    f"UPDATE {ChatSession._meta.db_table} AS s SET "  # noqa: S608
    "concat_seq = s.concat_seq + v.n, "
    "last_message_at = GREATEST(COALESCE(s.last_message_at, v.at), v.at), "
    "last_customer_message_at = GREATEST(COALESCE(s.last_customer_message_at, v.at), v.at), "
    "whatsapp_window_expires_at = GREATEST(COALESCE(s.whatsapp_window_expires_at, v.w), v.w) "
    "FROM (VALUES {rows}) AS v(id, n, at, w) WHERE s.id = v.id "
    "RETURNING s.id, s.concat_seq, s.concat_timeout"
)


def _arrival(message: Message):
    return message.received_at or message.created_at or timezone.now()


def _plan(messages, open_turn, *, window: int, inbox_partition) -> list[_Segment]:
    """Split one session's messages into turns, in memory."""
    segments: list[_Segment] = []
    current = _Segment(turn=open_turn, opened=False) if open_turn is not None else None
    for message in messages:
        arrived = _arrival(message)
        if current is None or not _joinable(current.turn, arrived):
            if current is not None:
                segments.append(current)
            turn = Turn(
                organization_id=message.organization_id,
                session_id=message.session_id,
                status=TurnStatus.OPEN,
                first_message_at=arrived,
                last_message_at=arrived,
                last_seq=0,
                messages_count=0,
                inbox_partition=inbox_partition,
            )
            current = _Segment(turn=turn, opened=True)
        turn = current.turn
        turn.last_seq = message.concat_seq
        turn.last_message_at = max(turn.last_message_at, arrived)
        turn.messages_count += 1
        turn.due_at, _ = _due(
            turn.first_message_at, turn.last_message_at, turn.messages_count, window
        )
        current.messages.append(message)
        message.turn = turn
    segments.append(current)
    # An open turn no message joined (the first message could not) closes too.
    return [s for s in segments if s.messages or not s.opened]


def _joinable(turn: Turn, arrived) -> bool:
    if turn.messages_count >= settings.CONCAT_MAX_MESSAGES:
        return False
    due = turn.due_at
    if due is None:  # a turn opened before due times were stored
        due = turn.last_message_at + timedelta(seconds=WINDOW_MAX_SECONDS)
    return arrived <= due


def _write_together(segments: list[_Segment], write) -> None:
    """The usual case: each session's messages all go into one turn."""
    joined = [s.turn for s in segments if not s.opened]
    opened = [s.turn for s in segments if s.opened]
    if joined:
        bulk_update_values(joined, ["last_seq", "last_message_at", "messages_count", "due_at"])
    if opened:
        Turn.objects.bulk_create(opened)
    write([m for s in segments for m in s.messages])


def _write_in_order(segments: list[_Segment], session_window, write) -> None:
    """A session whose messages span turns (a gap longer than the window, a
    bound reached, inside one batch): each turn written and closed before the
    next one opens (one open turn per session is a unique index)."""
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        turn = segment.turn
        if segment.opened:
            turn.save(force_insert=True)
        elif segment.messages:
            Turn.objects.filter(pk=turn.pk).update(
                last_seq=turn.last_seq,
                last_message_at=turn.last_message_at,
                messages_count=turn.messages_count,
                due_at=turn.due_at,
            )
        write(segment.messages)
        if last:
            _schedule(segment)
            continue
        _, reason = _due(
            turn.first_message_at,
            turn.last_message_at,
            turn.messages_count,
            window_seconds(session_window),
        )
        _claim_and_finish(turn, seq=turn.last_seq, reason=reason, now=timezone.now())


def _update_messages(messages: list[Message]) -> None:
    bulk_update_values(messages, ["turn", "concat_seq"])


def _schedule(segment: _Segment) -> None:
    """The turn's task: only a turn opened here starts a chain (a message
    joining a turn schedules nothing: the chain finds the window moved on)."""
    turn = segment.turn
    turn_id = str(turn.pk)
    if turn.messages_count >= settings.CONCAT_MAX_MESSAGES:
        # Full: close now (a one-off unless it opened here).
        opened = segment.opened
        transaction.on_commit(lambda: turn_due.apply_async((turn_id,), {"poll": opened}))
    elif segment.opened:
        countdown = _seconds_until(turn.due_at)
        transaction.on_commit(lambda: turn_due.apply_async((turn_id,), countdown=countdown))


def _seconds_until(due_at) -> float:
    grace = settings.CONCAT_ARRIVAL_GRACE_SECONDS
    return max(0.0, (due_at - timezone.now()).total_seconds() + grace)


# --- closing -------------------------------------------------------------------


def turn_close_due(
    session_id, seq: int, *, reason: str = CLOSE_WINDOW, send_inline: bool = False
) -> str:
    """Close the session's open turn if ``seq`` is still its latest message.

    ``send_inline`` (worker context only): make the first delivery attempt
    right after commit in this process instead of through another task.
    Returns "gone", "stale", "done", "waiting_media" or "closed".
    """
    turn = (
        Turn.objects.select_related("session__contact", "session__instance")
        .filter(
            session_id=session_id,
            status=TurnStatus.OPEN,
            last_seq=seq,
            session__concat_seq=seq,
        )
        .first()
    )
    if turn is None:
        current = (
            ChatSession.objects.filter(pk=session_id).values_list("concat_seq", flat=True).first()
        )
        if current is None:
            return "gone"
        return "stale" if current != seq else "done"
    # Safe to read before the claim: a message joining the turn moves its
    # last_seq in the same transaction, and then the claim below fails.
    messages = _turn_messages(turn)
    now = timezone.now()
    if any(m.transcription_status in TRANSCRIPTION_UNFINISHED for m in messages):
        media_deadline = (
            turn.last_message_at
            + timedelta(seconds=window_seconds(turn.session.concat_timeout))
            + timedelta(seconds=settings.CONCAT_MEDIA_WAIT_SECONDS)
        )
        if now < media_deadline:
            return "waiting_media"
        reason = CLOSE_MEDIA_TIMEOUT
    with transaction.atomic():
        closed = _claim_and_finish(
            turn, seq=seq, reason=reason, now=now, messages=messages, send_inline=send_inline
        )
    return "closed" if closed else "done"


def turn_close_when_due(
    turn_id, *, send_inline: bool = False, inbox_checked: bool = False
) -> tuple[str, float | None]:
    """Close the turn if its window (or a bound) has ended and every webhook
    of its chat that arrived before that end has been ingested.

    Returns (outcome, seconds until it should be looked at again or None):
    "done" (not open: closed by another path, or gone), "waiting" (later
    messages moved the window's end), "waiting_inbox" (webhooks that arrived
    in time are still in the inbox: the drain that ingests them closes the
    turn), "waiting_media" or "closed". ``inbox_checked``: the caller (that
    drain) knows the inbox is caught up.
    """
    grace = timedelta(seconds=settings.CONCAT_ARRIVAL_GRACE_SECONDS)
    for _ in range(3):
        row = (
            Turn.objects.filter(pk=turn_id, status=TurnStatus.OPEN)
            .values_list(
                "session_id",
                "last_seq",
                "first_message_at",
                "last_message_at",
                "messages_count",
                "session__concat_timeout",
                "inbox_partition",
                "session__instance_id",
            )
            .first()
        )
        if row is None:
            return "done", None
        (session_id, seq, first_message_at, last_message_at, count, session_window,
         partition, instance_id) = row  # fmt: skip
        now = timezone.now()
        due, reason = _due(first_message_at, last_message_at, count, session_window)
        full = reason == CLOSE_MAX_MESSAGES  # later messages open the next turn
        if not full and due + grace > now:
            return "waiting", (due + grace - now).total_seconds()
        if not (full or inbox_checked or inbox_caught_up(instance_id, partition, due)):
            return "waiting_inbox", None
        outcome = turn_close_due(session_id, seq, reason=reason, send_inline=send_inline)
        if outcome == "waiting_media":
            return outcome, float(MEDIA_POLL_SECONDS)
        if outcome != "stale":
            return outcome, None
        # A message joined between the read and the claim: read it again.
    return "stale", float(WINDOW_MIN_SECONDS)


def inbox_caught_up(instance_id, partition: int | None, until) -> bool:
    """Whether every webhook of the partition that arrived by ``until`` has
    been ingested (the partition's watermark is past it). Rows that failed
    and wait for a spaced retry hold nothing back; turns of messages that did
    not come through the inbox (``partition`` None) wait for nothing."""
    if partition is None:
        return True
    return not _pending_in_time(instance_id, partition).filter(received_at__lte=until).exists()


def _pending_in_time(instance_id, partition: int):
    return WebhookInbox.objects.filter(
        instance_id=instance_id,
        partition=partition,
        processed_at__isnull=True,
        last_error="",
        attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
    )


def turns_close_caught_up(instance_id, partition: int, *, queued: set) -> int:
    """A drain has ingested a batch of the partition: queue the close of the
    partition's open turns that were due and were waiting for those
    webhooks. ``queued``: the turns this drain run has queued already.
    Returns how many it queued. Other workers close them (and send their
    deliveries) while the drain goes on with the next batch."""
    watermark = (
        _pending_in_time(instance_id, partition)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    due_by = timezone.now() - timedelta(seconds=settings.CONCAT_ARRIVAL_GRACE_SECONDS)
    due = Turn.objects.filter(
        status=TurnStatus.OPEN,
        inbox_partition=partition,
        session__instance_id=instance_id,
        due_at__lte=due_by,
    )
    if watermark is not None:
        due = due.filter(due_at__lt=watermark)
    count = 0
    for turn_id in due.values_list("id", flat=True):
        if turn_id in queued:
            continue
        queued.add(turn_id)
        # A new chain: the turn's own ended when it found the inbox behind.
        turn_due.apply_async((str(turn_id),))
        count += 1
    return count


def _due(first_message_at, last_message_at, count: int, session_window) -> tuple:
    """When an open turn closes, and why."""
    if count >= settings.CONCAT_MAX_MESSAGES:
        return first_message_at, CLOSE_MAX_MESSAGES
    window_end = last_message_at + timedelta(seconds=window_seconds(session_window))
    max_wait_end = first_message_at + timedelta(seconds=settings.CONCAT_MAX_WAIT_SECONDS)
    if max_wait_end < window_end:
        return max_wait_end, CLOSE_MAX_WAIT
    return window_end, CLOSE_WINDOW


def _turn_messages(turn: Turn) -> list[Message]:
    return list(Message.objects.filter(turn=turn).order_by("concat_seq", "created_at", "pk"))


def _claim_and_finish(
    turn: Turn,
    *,
    seq: int,
    reason: str,
    now,
    messages: list[Message] | None = None,
    send_inline: bool = False,
) -> bool:
    """The one place a turn closes. Must run inside a transaction."""
    claimed = Turn.objects.filter(pk=turn.pk, status=TurnStatus.OPEN, last_seq=seq).update(
        status=TurnStatus.CLOSED, closed_at=now, close_reason=reason
    )
    if not claimed:
        return False  # a newer message moved it on, or another worker closed it
    from messaging.dispatch import turn_dispatch

    messages_were_given = messages is not None
    if messages is None:
        messages = _turn_messages(turn)
    turn.status, turn.closed_at, turn.close_reason = TurnStatus.CLOSED, now, reason
    turn.text = turn_text(messages)
    turn.messages_count = len(messages)
    turn_dispatch(
        turn=turn,
        messages=messages,
        send_inline=send_inline,
        # Read with the turn a moment ago when it came from turn_close_due.
        session=turn.session if messages_were_given else None,
    )
    Turn.objects.filter(pk=turn.pk).update(
        text=turn.text,
        messages_count=turn.messages_count,
        dispatch_status=turn.dispatch_status,
        dispatch_reason=turn.dispatch_reason,
    )
    return True


def turn_text(messages: list[Message]) -> str:
    """The burst as one text, in order, media labelled and transcribed."""
    return "\n".join(line for line in (message_line(m) for m in messages) if line)


def message_line(message: Message) -> str:
    text = (message.text or "").strip()
    if message.kind == MessageKind.TEXT:
        return text
    if message.kind == MessageKind.DOCUMENT:
        label = (
            f"[documento: {message.media_filename}]" if message.media_filename else "[documento]"
        )
    else:
        label = LABELS.get(message.kind, f"[{message.kind}]")
    transcription = (message.transcription or "").strip()
    if message.kind in (MessageKind.LOCATION, MessageKind.CONTACT, MessageKind.REACTION):
        body = text or _payload_summary(message)
        return f"{label} {body}".strip()
    parts = [p for p in (text, transcription) if p]
    if not transcription and message.is_media:
        parts.append(NO_TRANSCRIPTION)
    return " ".join([label, " — ".join(parts)]).strip()


def _payload_summary(message: Message) -> str:
    payload = message.payload or {}
    if message.kind == MessageKind.LOCATION:
        bits = [payload.get("name"), payload.get("address")]
        if payload.get("latitude") is not None:
            bits.append(f"{payload.get('latitude')},{payload.get('longitude')}")
        return " ".join(str(b) for b in bits if b)
    if message.kind == MessageKind.CONTACT:
        return str(payload.get("name") or "")
    if message.kind == MessageKind.REACTION:
        return str(payload.get("emoji") or "")
    return ""


def turn_nudge_after_transcription(message_id) -> None:
    """A transcription finished: if its turn is only waiting for media, close it now."""
    row = (
        Message.objects.filter(pk=message_id, turn__status=TurnStatus.OPEN)
        .values_list("turn_id", "turn__last_message_at", "session__concat_timeout")
        .first()
    )
    if row is None:
        return
    turn_id, last_message_at, session_window = row
    if timezone.now() < last_message_at + timedelta(seconds=window_seconds(session_window)):
        return  # the window itself is still running; its task will close it
    turn_key = str(turn_id)
    # poll=False: the turn's own task keeps polling if other media are pending.
    transaction.on_commit(lambda: turn_due.apply_async((turn_key,), {"poll": False}))


# --- tasks -----------------------------------------------------------------------


@shared_task(name="messaging.turns.turn_due", ignore_result=True, time_limit=60, soft_time_limit=50)
def turn_due(turn_id: str, poll: bool = True) -> str:
    """A turn's window may have ended: close it, or look again when it will.

    ``poll``: look again later if it is not time yet (the task the turn's
    first message scheduled). A one-off nudge (the last message allowed, a
    transcription finished) passes False, so a turn never has two chains.
    """
    outcome, again_in = turn_close_when_due(turn_id, send_inline=True)
    if again_in is not None and poll:
        turn_due.apply_async((turn_id,), countdown=again_in)
    return outcome


@shared_task(
    name="messaging.turns.turns_sweep_lost_windows",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=110,
)
def turns_sweep_lost_windows(limit: int = 500) -> int:
    """Beat: close OPEN turns whose window passed a while ago and whose task
    was lost (a killed worker holds its countdown tasks until the broker's
    visibility timeout). Turns still waiting for their inbox are left to the
    drain that ingests it."""
    now = timezone.now()
    grace = timedelta(seconds=settings.CONCAT_SWEEP_GRACE_SECONDS)
    candidates = (
        Turn.objects.filter(
            status=TurnStatus.OPEN,
            last_message_at__lt=now - grace - timedelta(seconds=WINDOW_MIN_SECONDS),
        )
        .select_related("session")
        .order_by("last_message_at")[:limit]
    )
    closed = 0
    for turn in candidates:
        due, reason = _due(
            turn.first_message_at,
            turn.last_message_at,
            turn.messages_count,
            turn.session.concat_timeout,
        )
        if due + grace > now:
            continue
        if reason != CLOSE_MAX_MESSAGES and not inbox_caught_up(
            turn.session.instance_id, turn.inbox_partition, due
        ):
            continue
        # Deliveries go through their own tasks here: one slow integration
        # must not eat the sweeper's time limit with a batch still to close.
        outcome = turn_close_due(turn.session_id, turn.last_seq, reason=CLOSE_SWEPT)
        if outcome == "closed":
            closed += 1
            logger.warning("turn %s closed by the sweeper (its task was lost)", turn.pk)
    return closed
