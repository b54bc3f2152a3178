"""The one place turns close: the claim (a conditional UPDATE), the text, the
dispatch and the write, in the caller's transaction, for one turn or for
many at once. Who decides a turn is due is ``close`` (and ``together``);
emptied turns alone close elsewhere (``messaging.inbound.revisions``).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from core.bulk import bulk_update_values
from messaging.models import CloseReason, Message, Turn, TurnStatus
from messaging.turns.dispatch import turns_dispatch
from messaging.turns.text import turn_text
from sessions_app.models import ChatSession


@dataclass
class Closing:
    """A turn about to close: at ``seq`` (its last message), for ``reason``;
    its messages and session when the caller has read them."""

    turn: Turn
    seq: int
    reason: CloseReason
    messages: list[Message] | None = None
    session: ChatSession | None = None


def turn_claim_and_finish(
    turn: Turn,
    *,
    seq: int,
    reason: CloseReason,
    now,
    messages: list[Message] | None = None,
    send_inline: bool = False,
) -> bool:
    """Close one turn (``turns_claim_and_finish``). Must run inside a transaction."""
    closing = Closing(
        turn,
        seq,
        reason,
        messages,
        # Read with the turn a moment ago when it came from turn_close_due.
        session=turn.session if messages is not None else None,
    )
    return bool(turns_claim_and_finish([closing], now=now, send_inline=send_inline))


def turns_claim_and_finish(
    closing: list[Closing], *, now, send_inline: bool = False, locked: bool = False
) -> list[Turn]:
    """The one place turns close. Must run inside a transaction.

    Each turn is claimed with a conditional UPDATE (still OPEN, still at
    ``seq``): zero rows means a newer message moved it on or another worker
    closed it. ``locked``: the caller holds the turns' rows (FOR UPDATE),
    so nothing can move them and the claim is by id. The claimed turns get
    their text and are dispatched together (one INSERT for their
    deliveries), and are written with one statement. Returns them.
    """
    claimed_ids: set = set()
    by_reason: dict = {}
    for item in closing:
        by_reason.setdefault(item.reason, []).append(item)
    for reason, group in by_reason.items():
        ids = [item.turn.pk for item in group]
        if locked:
            match = Q(pk__in=ids)
        else:
            match = reduce(or_, (Q(pk=item.turn.pk, last_seq=item.seq) for item in group))
        count = Turn.objects.filter(match, status=TurnStatus.OPEN).update(
            status=TurnStatus.CLOSED, closed_at=now, close_reason=reason
        )
        if count == len(group):
            claimed_ids.update(ids)
        elif count:  # some lost their claim: which ones closed here
            claimed_ids.update(
                Turn.objects.filter(
                    pk__in=ids, status=TurnStatus.CLOSED, closed_at=now, close_reason=reason
                ).values_list("pk", flat=True)
            )
    claimed = [item for item in closing if item.turn.pk in claimed_ids]
    if not claimed:
        return []
    unread = [item.turn.pk for item in claimed if item.messages is None]
    by_turn = messages_by_turn(unread) if unread else {}
    for item in claimed:
        if item.messages is None:
            item.messages = by_turn.get(item.turn.pk, [])
        turn = item.turn
        turn.status, turn.closed_at, turn.close_reason = TurnStatus.CLOSED, now, item.reason
        turn.text = turn_text(item.messages)
        turn.messages_count = len(item.messages)
    turns_dispatch(
        [(item.turn, item.messages, item.session) for item in claimed], send_inline=send_inline
    )
    turns = [item.turn for item in claimed]
    bulk_update_values(turns, ["text", "messages_count", "dispatch_status", "dispatch_reason"])
    return turns


def messages_by_turn(turn_ids: list) -> dict:
    by_turn: dict = {}
    for message in Message.objects.filter(turn_id__in=turn_ids).order_by(
        "turn_id", "concat_seq", "created_at", "pk"
    ):
        by_turn.setdefault(message.turn_id, []).append(message)
    return by_turn
