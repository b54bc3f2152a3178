"""Customer messages arrive: each joins its session's open turn, or opens one
and starts the turn's task.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.bulk import bulk_update_values
from core.db import is_postgresql
from messaging.inbound.door import arrival_grace
from messaging.models import Message, Turn, TurnStatus
from messaging.turns.close import turn_due
from messaging.turns.finish import turn_claim_and_finish
from messaging.turns.window import turn_close_at, window_seconds
from sessions_app.models import WHATSAPP_WINDOW, ChatSession


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
    if is_postgresql():
        # One UPDATE … FROM (VALUES …) RETURNING for every session of the
        # batch (typed rows: the casts are PostgreSQL's); SQLite below does
        # the same a session at a time, an UPDATE and a read each.
        rows = ", ".join(
            ["(%s::uuid, %s::integer, %s::timestamptz, %s::timestamptz)"] * len(values)
        )
        with connection.cursor() as cursor:
            cursor.execute(_BUMP_SESSIONS.format(rows=rows), [v for row in values for v in row])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
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
        turn.due_at, _ = turn_close_at(
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
    return arrived <= turn.due_at


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
        _, reason = turn_close_at(
            turn.first_message_at,
            turn.last_message_at,
            turn.messages_count,
            window_seconds(session_window),
        )
        turn_claim_and_finish(turn, seq=turn.last_seq, reason=reason, now=timezone.now())


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
    return max(0.0, (due_at + arrival_grace() - timezone.now()).total_seconds())
