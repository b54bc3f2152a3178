"""The beat sweeper of lost turns: OPEN turns well past their window whose
task was lost (a killed worker holds its countdown tasks until the broker's
visibility timeout, a flushed Redis loses them) are closed through the same
claim as every close (``messaging.turns.close``).
"""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.locks import advisory_lock_try
from messaging.inbound.door import arrival_grace, door_position, position_passed
from messaging.inbound.in_flight import in_flight_oldest
from messaging.inbound.watermark import inbox_caught_up
from messaging.models import CloseReason, Turn, TurnStatus
from messaging.turns.close import CloseOutcome, turn_close_due
from messaging.turns.window import (
    WINDOW_MIN_SECONDS,
    turn_close_at,
)

logger = logging.getLogger(__name__)


# Advisory lock class of the sweeper: one run at a time. Beat queues one
# every 5 s; under a backlog a run may take longer, and sweepers piling up
# would take every worker process from the drains they wait for.
_SWEEP_LOCK_CLASS = 7302
# A run stops after this long and leaves the rest to the next one.
SWEEP_BUDGET_SECONDS = 4
# A turn whose close a drain queued is waiting in the broker's queue, not
# lost (unless a worker died holding it): it is swept only this late.
QUEUED_CLOSE_GRACE_SECONDS = 10


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
    drain that ingests it; a run already sweeping makes this one a no-op."""
    with advisory_lock_try(_SWEEP_LOCK_CLASS, "turns") as held:
        if not held:
            return 0
        return _sweep(limit)


def _sweep(limit: int) -> int:
    now = timezone.now()
    deadline = time.monotonic() + SWEEP_BUDGET_SECONDS
    grace = timedelta(seconds=settings.CONCAT_SWEEP_GRACE_SECONDS)
    queued_grace = timedelta(seconds=QUEUED_CLOSE_GRACE_SECONDS)
    grace_in_time = arrival_grace()
    doors: dict = {}
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
        if time.monotonic() > deadline:
            break
        due, reason = turn_close_at(
            turn.first_message_at,
            turn.last_message_at,
            turn.messages_count,
            turn.session.concat_timeout,
        )
        if due + grace > now:
            continue
        close_queued = turn.close_queued_for is not None and turn.close_queued_for == turn.due_at
        if close_queued and due + queued_grace > now:
            continue
        instance_id = turn.session.instance_id
        if instance_id not in doors:  # one read per instance and run
            doors[instance_id] = door_position(instance_id)
        door = doors[instance_id]
        if reason != CloseReason.MAX_MESSAGES and not (
            position_passed(door, due + grace_in_time)
            and _nothing_in_flight_by(instance_id, turn.inbox_partition, due)
            and inbox_caught_up(instance_id, turn.inbox_partition, due)
        ):
            continue
        # Deliveries go through their own tasks here: one slow integration
        # must not eat the sweeper's time limit with a batch still to close.
        outcome = turn_close_due(turn.session_id, turn.last_seq, reason=CloseReason.SWEPT)
        if outcome == CloseOutcome.CLOSED:
            closed += 1
            logger.warning("turn %s closed by the sweeper (its task was lost)", turn.pk)
    return closed


def _nothing_in_flight_by(instance_id, partition: int | None, due) -> bool:
    if partition is None:
        return True
    oldest = in_flight_oldest(instance_id, partition)
    return oldest is None or oldest > due
