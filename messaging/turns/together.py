"""Due turns closed together: a wave's turns fall due at once, and one
transaction, one claim and one batch of deliveries cost about as much for a
hundred turns as for one. A turn's task closes its turn with the other due
turns of its instance (``close_with_neighbours``); the closes a drain
queues come as lists (``close_listed``). The turns are read FOR UPDATE,
their neighbours with SKIP LOCKED (two workers take different ones), and
each is checked as its own task would: due by its partition's cutoff (the
inbox, the webhooks in flight, the door), no transcription still running.
"""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.db import is_postgresql
from messaging.inbound.door import arrival_grace, door_position
from messaging.inbound.in_flight import in_flight_oldest, in_flight_oldest_by_partition
from messaging.inbound.watermark import inbox_watermark, inbox_watermarks
from messaging.models import CloseReason, Turn, TurnStatus
from messaging.turns.finish import Closing, messages_by_turn, turns_claim_and_finish
from messaging.turns.window import TRANSCRIPTION_UNFINISHED, turn_close_at, window_seconds

# Due turns closed together: a wave's turns fall due at once, and a
# transaction, a claim and a batch of deliveries cost about as much for
# this many turns as for one.
CLOSE_BATCH = 100
# What the turn.ready payload reads of a session, read with the turns.
_TURN_JOINS = (
    "session__contact",
    "session__instance",
    "session__organization__business_hours",
    "session__assigned_department__business_hours",
)


def locked_turns(turns, *, skip_locked: bool = False):
    """Turns read FOR UPDATE (their rows only) with what closing them reads."""
    return turns.select_related(*_TURN_JOINS).select_for_update(
        skip_locked=skip_locked, of=("self",)
    )


def close_locked(turns: list[Turn], cutoffs: dict, now, *, send_inline: bool) -> tuple[list, dict]:
    """Close the locked turns that are due by their partition's cutoff
    (``cutoffs``: {partition: ``close_cutoff``}) and not waiting for a
    transcription; returns (closed turns, {turn id: why another was left})."""
    by_turn = messages_by_turn([turn.pk for turn in turns])
    closing, left = [], {}
    for turn in turns:
        session_window = turn.session.concat_timeout
        due, reason = turn_close_at(
            turn.first_message_at, turn.last_message_at, turn.messages_count, session_window
        )
        cutoff = cutoffs.get(turn.inbox_partition)
        if reason != CloseReason.MAX_MESSAGES and (cutoff is None or due > cutoff):
            left[turn.pk] = "waiting"
            continue
        messages = by_turn.get(turn.pk, [])
        if any(m.transcription_status in TRANSCRIPTION_UNFINISHED for m in messages):
            if now < media_deadline(turn.last_message_at, session_window):
                left[turn.pk] = "waiting_media"
                continue
            reason = CloseReason.MEDIA_TIMEOUT
        closing.append(Closing(turn, turn.last_seq, reason, messages, turn.session))
    # PostgreSQL holds the rows (FOR UPDATE): nothing can move them, they
    # are claimed by id. SQLite has no row locks: each claim is conditional
    # on the turn's sequence, as a single turn's is.
    closed = turns_claim_and_finish(
        closing, now=now, send_inline=send_inline, locked=is_postgresql()
    )
    return closed, left


def media_deadline(last_message_at, session_window):
    return (
        last_message_at
        + timedelta(seconds=window_seconds(session_window))
        + timedelta(seconds=settings.CONCAT_MEDIA_WAIT_SECONDS)
    )


def close_with_neighbours(turn_id, seq: int, instance_id, partition, *, send_inline: bool):
    """Close the turn, due and caught up, and with it the other turns of its
    instance due by now, each by its partition's cutoff (up to CLOSE_BATCH,
    those no other worker holds):
    in a wave they fall due together, and their own tasks then find them
    closed. Returns None when the turn is no longer open at ``seq``, else
    ``closed``, ``waiting_media`` or ``stale`` (read it again): values of
    ``close.CloseOutcome``."""
    now = timezone.now()
    with transaction.atomic():
        turn = (
            locked_turns(Turn.objects)
            .filter(pk=turn_id, status=TurnStatus.OPEN, last_seq=seq, session__concat_seq=seq)
            .first()
        )
        if turn is None:
            return None
        cutoffs = instance_cutoffs(instance_id)
        if partition not in cutoffs:  # a partition past the configured count
            cutoffs[partition] = close_cutoff(instance_id, partition)[0]
        due_by = reduce(
            or_,
            (
                Q(inbox_partition__isnull=True, due_at__lte=cutoff)
                if p is None
                else Q(inbox_partition=p, due_at__lte=cutoff)
                for p, cutoff in cutoffs.items()
            ),
        )
        neighbours = locked_turns(
            Turn.objects.filter(
                due_by,
                status=TurnStatus.OPEN,
                session__instance_id=instance_id,
                session__concat_seq=F("last_seq"),
            )
            .exclude(pk=turn_id)
            # The latest due first: the tasks of the earliest are running
            # now, and each takes a batch of its own.
            .order_by("-due_at"),
            skip_locked=True,
        )[: CLOSE_BATCH - 1]
        closed, left = close_locked([turn, *neighbours], cutoffs, now, send_inline=send_inline)
    if any(t.pk == turn.pk for t in closed):
        return "closed"
    return "waiting_media" if left.get(turn.pk) == "waiting_media" else "stale"


def close_listed(instance_id, partition: int | None, turn_ids: list, *, send_inline: bool) -> list:
    """Close those of the listed turns of one partition that are due and
    caught up, and not held by another worker; returns the closed ones."""
    now = timezone.now()
    with transaction.atomic():
        turns = list(
            locked_turns(
                Turn.objects.filter(
                    pk__in=turn_ids, status=TurnStatus.OPEN, session__concat_seq=F("last_seq")
                ),
                skip_locked=True,
            )
        )
        cutoffs = {partition: close_cutoff(instance_id, partition)[0]}
        closed, _ = close_locked(turns, cutoffs, now, send_inline=send_inline)
    return closed


def close_cutoff(instance_id, partition: int | None) -> tuple:
    """(the latest due time a turn of the partition may close at now, the
    door's position): before the oldest webhook of the partition that is
    pending or in flight (that one may join it), past the door, past the
    arrival grace. The conditions ``turn_close_when_due`` checks for one
    turn, for every turn of the partition at once."""
    cutoff, door = _door_cutoff(instance_id)
    if partition is not None:
        in_flight = in_flight_oldest(instance_id, partition)
        cutoff = _before(cutoff, in_flight, inbox_watermark(instance_id, partition))
    return cutoff, door


def instance_cutoffs(instance_id) -> dict:
    """``close_cutoff`` of each of the instance's inbox partitions (and of
    None, turns of messages that did not come through the inbox), with one
    query for their watermarks."""
    cutoff, _ = _door_cutoff(instance_id)
    in_flight = in_flight_oldest_by_partition(instance_id)
    watermarks = inbox_watermarks(instance_id)
    cutoffs: dict = {None: cutoff}
    for partition in range(settings.WEBHOOK_INBOX_PARTITIONS):
        cutoffs[partition] = _before(cutoff, in_flight.get(partition), watermarks.get(partition))
    return cutoffs


def _door_cutoff(instance_id) -> tuple:
    """(now less the arrival grace, and not past the door; the door's position)."""
    grace = arrival_grace()
    cutoff = timezone.now() - grace
    door = door_position(instance_id)
    if door is not None:
        cutoff = min(cutoff, door - grace)
    return cutoff, door


def _before(cutoff, in_flight, watermark):
    """``cutoff``, moved to just before the oldest webhook in flight or pending.

    The callers read the webhooks in flight before the inbox: a webhook
    leaves the flight only once its row is committed, so one that left
    between the two reads shows in the inbox; read the other way round, it
    could show in neither."""
    just_before = timedelta(microseconds=1)
    for moment in (in_flight, watermark):
        if moment is not None:
            cutoff = min(cutoff, moment - just_before)
    return cutoff
