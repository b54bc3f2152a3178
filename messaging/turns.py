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
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from messaging.models import Message, MessageKind, TranscriptionStatus, Turn, TurnStatus
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


# --- a customer message arrives ------------------------------------------------


_BUMP_SESSION = (
    f"UPDATE {ChatSession._meta.db_table} "  # noqa: S608 (a model's table name)
    "SET concat_seq = concat_seq + 1, last_message_at = %s, last_customer_message_at = %s, "
    "whatsapp_window_expires_at = %s WHERE id = %s RETURNING concat_seq, concat_timeout"
)
_JOIN_TURN = (
    f"UPDATE {Turn._meta.db_table} "  # noqa: S608 (a model's table name)
    "SET last_seq = %s, last_message_at = %s, messages_count = messages_count + 1 "
    "WHERE session_id = %s AND status = %s AND messages_count < %s AND first_message_at > %s "
    "RETURNING id, first_message_at, messages_count"
)


def turn_add_message(message: Message) -> Turn:
    """Put an inbound customer message into its session's open turn; a new
    turn starts its window. Call inside the ingest transaction."""
    # No savepoint of its own: a failure here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        seq, session_window = _bump_session(message.session_id, now)
        turn, opened = _join_open_turn(message, seq=seq, now=now)
        Message.objects.filter(pk=message.pk).update(turn=turn, concat_seq=seq)
        message.turn = turn
        message.concat_seq = seq

        turn_id = str(turn.pk)
        if turn.messages_count >= settings.CONCAT_MAX_MESSAGES:
            # Full: close now (a one-off; the opening task ends its chain on a closed turn).
            transaction.on_commit(lambda: turn_due.apply_async((turn_id,), {"poll": opened}))
        elif opened:
            countdown = min(window_seconds(session_window), settings.CONCAT_MAX_WAIT_SECONDS)
            transaction.on_commit(lambda: turn_due.apply_async((turn_id,), countdown=countdown))
        # A message joining a turn schedules nothing: the turn's task finds
        # the window moved on and waits for its new end.
    return turn


def _bump_session(session_id, now) -> tuple[int, int | None]:
    """The message's sequence number and the session's window, in one round trip."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_BUMP_SESSION, [now, now, now + WHATSAPP_WINDOW, session_id])
            return cursor.fetchone()
    # The embedded SQLite setup: the same in two statements.
    ChatSession.objects.filter(pk=session_id).update(
        concat_seq=F("concat_seq") + 1,
        last_message_at=now,
        last_customer_message_at=now,
        whatsapp_window_expires_at=now + WHATSAPP_WINDOW,
    )
    return (
        ChatSession.objects.filter(pk=session_id).values_list("concat_seq", "concat_timeout").get()
    )


def _join_open_turn(message: Message, *, seq: int, now) -> tuple[Turn, bool]:
    """(the turn the message is in now, whether it opened that turn)."""
    if connection.vendor == "postgresql":
        # The usual case in one statement: an open turn within its bounds.
        max_wait = timedelta(seconds=settings.CONCAT_MAX_WAIT_SECONDS)
        with connection.cursor() as cursor:
            cursor.execute(
                _JOIN_TURN,
                [
                    seq,
                    now,
                    message.session_id,
                    TurnStatus.OPEN,
                    settings.CONCAT_MAX_MESSAGES,
                    now - max_wait,
                ],
            )
            row = cursor.fetchone()
        if row is not None:
            turn_id, first_message_at, count = row
            turn = Turn(
                pk=turn_id,
                organization_id=message.organization_id,
                session_id=message.session_id,
                status=TurnStatus.OPEN,
                first_message_at=first_message_at,
                last_message_at=now,
                last_seq=seq,
                messages_count=count,
            )
            turn._state.adding = False
            return turn, False
    return _join_or_open_turn(message, seq=seq, now=now)


def _join_or_open_turn(message: Message, *, seq: int, now) -> tuple[Turn, bool]:
    """No open turn within bounds: close one over its bounds, open the next."""
    for _ in range(10):
        turn = Turn.objects.filter(session_id=message.session_id, status=TurnStatus.OPEN).first()
        if turn is not None and _over_bounds(turn, now):
            # Its task has not closed it yet (it is due now): close it here,
            # so this message starts the next turn instead of growing it.
            _claim_and_finish(turn, seq=turn.last_seq, reason=_bound_reason(turn, now), now=now)
            continue
        if turn is None:
            try:
                with transaction.atomic():
                    turn = Turn.objects.create(
                        organization_id=message.organization_id,
                        session_id=message.session_id,
                        status=TurnStatus.OPEN,
                        first_message_at=now,
                        last_message_at=now,
                        last_seq=seq,
                        messages_count=1,
                    )
                return turn, True
            except IntegrityError:
                continue  # another open turn appeared: join it
        joined = Turn.objects.filter(pk=turn.pk, status=TurnStatus.OPEN).update(
            last_seq=seq, last_message_at=now, messages_count=F("messages_count") + 1
        )
        if joined:
            turn.refresh_from_db()
            return turn, False
        # Closed between our read and our update: start the next one.
    raise RuntimeError(f"could not attach message {message.pk} to a turn")  # pragma: no cover


def _over_bounds(turn: Turn, now) -> bool:
    return _bound_reason(turn, now) != CLOSE_WINDOW


def _bound_reason(turn: Turn, now) -> str:
    """Whether a bound (count, max wait) has closed the turn by ``now``, the
    window aside: asked when a message arrives (``_due`` says when the turn
    ends, window included)."""
    if turn.messages_count >= settings.CONCAT_MAX_MESSAGES:
        return CLOSE_MAX_MESSAGES
    if now - turn.first_message_at >= timedelta(seconds=settings.CONCAT_MAX_WAIT_SECONDS):
        return CLOSE_MAX_WAIT
    return CLOSE_WINDOW


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


def turn_close_when_due(turn_id, *, send_inline: bool = False) -> tuple[str, float | None]:
    """Close the turn if its window (or a bound) has ended.

    Returns (outcome, seconds until it should be looked at again or None):
    "done" (not open: closed by another path, or gone), "waiting" (later
    messages moved the window's end), "waiting_media" or "closed".
    """
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
            )
            .first()
        )
        if row is None:
            return "done", None
        session_id, seq, first_message_at, last_message_at, count, session_window = row
        now = timezone.now()
        due, reason = _due(first_message_at, last_message_at, count, session_window)
        if due > now:
            return "waiting", (due - now).total_seconds()
        outcome = turn_close_due(session_id, seq, reason=reason, send_inline=send_inline)
        if outcome == "waiting_media":
            return outcome, float(MEDIA_POLL_SECONDS)
        if outcome != "stale":
            return outcome, None
        # A message joined between the read and the claim: read it again.
    return "stale", float(WINDOW_MIN_SECONDS)


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


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
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


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=110)
def turns_sweep_lost_windows(limit: int = 500) -> int:
    """Beat: close OPEN turns whose window passed long ago (their task was lost)."""
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
        due, _ = _due(
            turn.first_message_at,
            turn.last_message_at,
            turn.messages_count,
            turn.session.concat_timeout,
        )
        if due + grace > now:
            continue
        # Deliveries go through their own tasks here: one slow integration
        # must not eat the sweeper's time limit with a batch still to close.
        outcome = turn_close_due(turn.session_id, turn.last_seq, reason=CLOSE_SWEPT)
        if outcome == "closed":
            closed += 1
            logger.warning("turn %s closed by the sweeper (its task was lost)", turn.pk)
    return closed
