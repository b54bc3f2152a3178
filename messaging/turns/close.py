"""Closing a turn: when its window (or a bound) has ended and its chat's webhooks
are ingested, claim it with a conditional UPDATE, assemble its text and hand
it to dispatch, in one transaction (``finish``), with the other due turns of
its instance in a wave (``together``). The turn's task, and the closes
queued when the inbox or the door catches up (the beat sweeper of lost turns
is ``messaging.turns.sweeper``). Whether the inbox has caught up is the
inbox's to say (``messaging.inbound.watermark``).
"""

import logging
from datetime import timedelta
from enum import StrEnum

from celery import shared_task
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.db import is_postgresql
from messaging.inbound.door import arrival_grace, door_passed
from messaging.inbound.flags import flags_client
from messaging.inbound.in_flight import in_flight_oldest
from messaging.inbound.watermark import inbox_caught_up
from messaging.models import CloseReason, Message, Turn, TurnStatus
from messaging.turns.finish import turn_claim_and_finish
from messaging.turns.together import (
    CLOSE_BATCH,
    close_cutoff,
    close_listed,
    close_with_neighbours,
    media_deadline,
)
from messaging.turns.window import (
    MEDIA_POLL_SECONDS,
    TRANSCRIPTION_UNFINISHED,
    WINDOW_MIN_SECONDS,
    turn_close_at,
    window_seconds,
)
from sessions_app.models import ChatSession

logger = logging.getLogger(__name__)


class CloseOutcome(StrEnum):
    """What an attempt to close a turn found."""

    CLOSED = "closed"  # this call closed it
    DONE = "done"  # not open any more: closed by another path
    GONE = "gone"  # its session no longer exists
    STALE = "stale"  # a newer message joined since it was read: read it again
    WAITING = "waiting"  # its window (moved on by later messages) has not ended
    WAITING_DOOR = "waiting_door"  # the webs are behind: its webhooks may not be stored
    WAITING_INBOX = "waiting_inbox"  # its webhooks wait in the inbox: their drain closes it
    WAITING_MEDIA = "waiting_media"  # a transcription is still running


def _turn_messages(turn: Turn) -> list[Message]:
    return list(Message.objects.filter(turn=turn).order_by("concat_seq", "created_at", "pk"))


def turn_close_due(
    session_id, seq: int, *, reason: CloseReason = CloseReason.WINDOW, send_inline: bool = False
) -> CloseOutcome:
    """Close the session's open turn if ``seq`` is still its latest message.

    ``send_inline`` (worker context only): make the first delivery attempt
    right after commit in this process instead of through another task.
    Returns CLOSED, DONE, GONE, STALE or WAITING_MEDIA.
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
        return _not_open(session_id, seq)
    # Safe to read before the claim: a message joining the turn moves its
    # last_seq in the same transaction, and then the claim below fails.
    messages = _turn_messages(turn)
    now = timezone.now()
    if any(m.transcription_status in TRANSCRIPTION_UNFINISHED for m in messages):
        if now < media_deadline(turn.last_message_at, turn.session.concat_timeout):
            return CloseOutcome.WAITING_MEDIA
        reason = CloseReason.MEDIA_TIMEOUT
    with transaction.atomic():
        closed = turn_claim_and_finish(
            turn, seq=seq, reason=reason, now=now, messages=messages, send_inline=send_inline
        )
    return CloseOutcome.CLOSED if closed else CloseOutcome.DONE


def turn_close_when_due(
    turn_id, *, send_inline: bool = False, inbox_checked: bool = False
) -> tuple[CloseOutcome, float | None]:
    """Close the turn if its window (or a bound) has ended and every webhook
    of its chat that arrived before that end has been ingested.

    Returns (outcome, seconds until it should be looked at again or None).
    WAITING_DOOR and WAITING_INBOX end the turn's chain: the drains (and the
    looks after the door) that ingest its webhooks queue its close.
    ``inbox_checked``: the caller (that drain) knows the inbox is caught up.
    """
    grace = arrival_grace()
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
            return CloseOutcome.DONE, None
        (session_id, seq, first_message_at, last_message_at, count, session_window,
         partition, instance_id) = row  # fmt: skip
        now = timezone.now()
        due, reason = turn_close_at(first_message_at, last_message_at, count, session_window)
        full = reason == CloseReason.MAX_MESSAGES  # later messages open the next turn
        if not full and due + grace > now:
            return CloseOutcome.WAITING, (due + grace - now).total_seconds()
        if not (full or door_passed(instance_id, due + grace)):
            # Webhooks of its window may still wait in front of the web
            # processes: the drains that ingest them close it.
            return CloseOutcome.WAITING_DOOR, None
        if not full and _in_flight_before(instance_id, partition, due):
            # Being stored this moment: look again in a moment.
            return CloseOutcome.WAITING, IN_FLIGHT_POLL_SECONDS
        if not (full or inbox_checked or inbox_caught_up(instance_id, partition, due)):
            return CloseOutcome.WAITING_INBOX, None
        outcome = _close_with_neighbours(
            turn_id, session_id, seq, reason, instance_id, partition, send_inline=send_inline
        )
        if outcome == CloseOutcome.WAITING_MEDIA:
            return outcome, float(MEDIA_POLL_SECONDS)
        if outcome != CloseOutcome.STALE:
            return outcome, None
        # A message joined between the read and the claim: read it again.
    return CloseOutcome.STALE, float(WINDOW_MIN_SECONDS)


# A webhook in flight is stored within milliseconds: its turn looks again this soon.
IN_FLIGHT_POLL_SECONDS = 0.05


def _in_flight_before(instance_id, partition: int | None, due) -> bool:
    """Whether a webhook of the partition that arrived by ``due`` is being
    stored (``messaging.inbound.in_flight``); turns of messages that did not
    come through the inbox wait for none."""
    if partition is None:
        return False
    oldest = in_flight_oldest(instance_id, partition)
    return oldest is not None and oldest <= due


def turns_close_caught_up(instance_id, partition: int) -> int:
    """A drain has ingested a batch of the partition: queue the close of the
    partition's open turns that were due and were waiting for those
    webhooks, each once per due time (``close_queued_for``, set by the same
    statement that picks them, so concurrent and later drains skip them).
    Returns how many it queued. Other workers close them (and send their
    deliveries) while the drain goes on with the next batch."""
    due_by, door = close_cutoff(instance_id, partition)
    if door is not None:
        _close_again_after_door(instance_id, partition)
    turn_ids = _mark_close_queued(instance_id, partition, due_by)
    # Closed together, a batch per task (a turn the batch cannot close yet
    # gets a new chain there: its own ended when it found the inbox behind).
    for start in range(0, len(turn_ids), CLOSE_BATCH):
        chunk = [str(turn_id) for turn_id in turn_ids[start : start + CLOSE_BATCH]]
        turns_close_batch.apply_async((str(instance_id), partition, chunk))
    return len(turn_ids)


# Per partition, set while a look after the door is queued.
_AFTER_DOOR_KEY = "atende:turns:after-door:{instance_id}:{partition}"
# While the webs are behind, the partition's due turns are looked at this
# often: each look closes those the door has passed since.
AFTER_DOOR_SECONDS = 1


def _close_again_after_door(instance_id, partition: int) -> None:
    """The web processes are behind: turns due meanwhile wait for the door
    (``waiting_door``). The drains look again after every batch while
    webhooks come in; these looks, every second while the door is behind
    and once after its position expires, close the turns the last of those
    drains had to leave. One queued per partition at a time."""
    key = _AFTER_DOOR_KEY.format(instance_id=instance_id, partition=partition)
    try:
        first = flags_client().set(key, 1, nx=True, ex=AFTER_DOOR_SECONDS)
    except Exception:
        logger.warning("could not queue a look after the door; the sweeper will", exc_info=True)
        return
    if first:
        turns_close_after_door.apply_async(
            (str(instance_id), partition), countdown=AFTER_DOOR_SECONDS
        )


@shared_task(
    name="messaging.turns.turns_close_after_door",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def turns_close_after_door(instance_id: str, partition: int) -> int:
    """Queue the close of the partition's due turns the door held back
    (another look follows while the web processes are still behind)."""
    return turns_close_caught_up(instance_id, partition)


# Table names only are formatted in; values are placeholders.
_MARK_CLOSE_QUEUED = (
    f"UPDATE {Turn._meta.db_table} AS t SET close_queued_for = t.due_at "  # noqa: S608
    f"FROM {ChatSession._meta.db_table} AS s "
    "WHERE s.id = t.session_id AND s.instance_id = %s AND t.status = %s "
    "AND t.inbox_partition = %s AND t.due_at <= %s "
    "AND (t.close_queued_for IS NULL OR t.close_queued_for <> t.due_at) "
    "RETURNING t.id"
)


def _mark_close_queued(instance_id, partition: int, due_by) -> list:
    if is_postgresql():
        # One statement picks and marks (UPDATE … FROM … RETURNING): the ORM
        # has no UPDATE that returns rows. A drain runs it after every batch;
        # test_webhook_ingest bounds the drain's statements.
        with connection.cursor() as cursor:
            cursor.execute(_MARK_CLOSE_QUEUED, [instance_id, TurnStatus.OPEN, partition, due_by])
            return [row[0] for row in cursor.fetchall()]
    # SQLite: read, then mark. Two drains picking the same turn queue its
    # close twice, and it closes once (turn_claim_and_finish's conditional UPDATE).
    turns = Turn.objects.filter(
        status=TurnStatus.OPEN,
        inbox_partition=partition,
        session__instance_id=instance_id,
        due_at__lte=due_by,
    ).exclude(close_queued_for=F("due_at"))
    ids = list(turns.values_list("id", flat=True))
    Turn.objects.filter(pk__in=ids).update(close_queued_for=F("due_at"))
    return ids


def _close_with_neighbours(
    turn_id, session_id, seq: int, reason, instance_id, partition, *, send_inline: bool
) -> CloseOutcome:
    """Close the turn with the other due turns of its instance (``together``);
    alone if that fails: a neighbour that cannot be dispatched must not
    hold this turn back."""
    try:
        found = close_with_neighbours(turn_id, seq, instance_id, partition, send_inline=send_inline)
    except Exception:
        logger.exception("closing turn %s with the due turns of its instance failed", turn_id)
        return turn_close_due(session_id, seq, reason=reason, send_inline=send_inline)
    return _not_open(session_id, seq) if found is None else CloseOutcome(found)


def _not_open(session_id, seq: int) -> CloseOutcome:
    current = ChatSession.objects.filter(pk=session_id).values_list("concat_seq", flat=True).first()
    if current is None:
        return CloseOutcome.GONE
    return CloseOutcome.STALE if current != seq else CloseOutcome.DONE


@shared_task(
    name="messaging.turns.turns_close_batch",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def turns_close_batch(instance_id: str, partition: int, turn_ids: list[str]) -> int:
    """Close turns of one partition a drain found due, together; a turn
    this cannot close (not due after all, waiting for a transcription, held
    by another worker) gets a chain of its own (``turn_due``), as does every
    turn when the batch fails. Returns how many it closed."""
    try:
        closed = close_listed(instance_id, partition, turn_ids, send_inline=True)
    except Exception:
        logger.exception("closing a batch of due turns failed; each gets its own task")
        closed = []
    done = {str(turn.pk) for turn in closed}
    for turn_id in turn_ids:
        if turn_id not in done:
            turn_due.apply_async((turn_id,))
    return len(closed)


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
    return outcome.value
