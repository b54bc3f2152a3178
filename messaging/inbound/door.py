"""When a webhook reached us, even while the web processes are behind.

Every later step measures a turn's window on the inbox row's
``received_at``. Stamped when a web process handles the request, it is late
by however long the request waited in front of it: in a spike the webs fall
seconds behind, a customer's messages sent 1 s apart are stamped 3 s apart,
and the burst splits into several turns.

A gateway that stamps each webhook with its own clock at millisecond
precision (Evolution's ``date_time``; ``GatewayAdapter.sent_at``) shows how
late we are. Per instance, the smallest ``now - sent`` seen in the last
``DOOR_OFFSET_WINDOW_SECONDS`` is the two clocks' offset plus the network
(Evolution's stamp is even hours off when its server's time zone is not
UTC; the offset cancels that); a webhook whose ``now - sent`` exceeds it by
L waited L in our queue, so it arrived at ``now - L``. A request can only
have waited while this process was busy with the ones before it: L is at
most how long the process has been handling webhooks back to back (a gap of
``DOOR_IDLE_GAP_SECONDS``, a second, between two means it was waiting for
work, so the next one came in as it was taken; a busy process starved of
the CPU pauses far less), and at most ``DOOR_MAX_LAG_SECONDS``. So
a gateway's retry of an old webhook reaching an idle web arrives ``now``;
its clock stepping back reads as a wait (capped as above) until the offset
window holds only newer samples. Without a stamp
the arrival is ``now``. The gateway's clock is trusted for
differences between its own stamps only: a phone's clock (the message's own
timestamp) is not used at all.

While the webs are behind, a turn must not close on our clock alone:
webhooks that arrived within its window may still wait in front of them,
where no inbox row shows them yet. A web process that stores a webhook more
than ``DOOR_LATE_SECONDS`` late publishes, per instance, that webhook's
arrival: the door's position, kept ``DOOR_POSITION_TTL_SECONDS``. A due
turn closes only once the door has passed its end (``door_passed``); when
the webs catch up, nothing is published and the key expires.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core import metrics
from messaging.inbound.flags import flags_client

logger = logging.getLogger(__name__)

DOOR_KEY = "atende:inbox:door:{instance_id}"


@dataclass
class _Seen:
    """What this process has seen of one instance's webhooks: the smallest
    ``now - sent`` of the current and the previous half-window (the clocks'
    offset), the arrival it gave the latest one, and when it last published
    the door's position. Each web process learns its own."""

    bucket: int
    current: float = math.inf
    previous: float = math.inf
    latest: datetime | None = None
    published: float = -math.inf

    def offset(self, sample: float, now: float) -> float:
        bucket = int(now // max(1.0, settings.DOOR_OFFSET_WINDOW_SECONDS / 2))
        if bucket != self.bucket:
            self.previous = self.current if bucket == self.bucket + 1 else math.inf
            self.current, self.bucket = math.inf, bucket
        self.current = min(self.current, sample)
        return min(self.current, self.previous)


_SEEN: dict[str, _Seen] = {}


class _Busy:
    """How long this process has been handling webhooks back to back."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.last_end: float | None = None

    def started(self, now: float) -> float:
        gap = settings.DOOR_IDLE_GAP_SECONDS
        if self.since is None or self.last_end is None or now - self.last_end > gap:
            self.since = now  # it was idle: this request was taken as it came
        return now - self.since

    def ended(self, now: float) -> None:
        self.last_end = now


_BUSY = _Busy()

# A few times a second is enough (the position is read against windows of
# seconds) and spares a busy web a Redis call per webhook.
PUBLISH_EVERY_SECONDS = 0.2


@contextlib.contextmanager
def door_visit():
    """Around the handling of one webhook: yields how long this process has
    been busy with webhooks back to back, the most this one can have waited."""
    busy_for = _BUSY.started(time.monotonic())
    try:
        yield busy_for
    finally:
        _BUSY.ended(time.monotonic())


def door_arrival(
    instance_id, sent_at: datetime | None, *, busy_for: float, now: datetime | None = None
) -> datetime:
    """When a webhook the gateway stamped ``sent_at`` reached us, handled by
    a process busy for ``busy_for`` seconds (see the module's docstring)."""
    now = now or timezone.now()
    if sent_at is None:
        return now
    sample = (now - sent_at).total_seconds()
    seen = _SEEN.setdefault(str(instance_id), _Seen(bucket=0))
    offset = seen.offset(sample, now.timestamp())
    lag = min(max(0.0, sample - offset), busy_for, settings.DOOR_MAX_LAG_SECONDS)
    metrics.WEBHOOK_DOOR_WAIT_SECONDS.observe(lag)
    arrival = now - timedelta(seconds=lag)
    if seen.latest is not None:
        # Never before the webhook this process stored just before it: the
        # drains take a chat's rows in arrival order, and a message must stay
        # ahead of its edit even when the gateway stamped both in one millisecond.
        arrival = max(arrival, seen.latest)
    seen.latest = arrival
    clock = time.monotonic()
    if lag > settings.DOOR_LATE_SECONDS and clock - seen.published >= PUBLISH_EVERY_SECONDS:
        seen.published = clock
        _publish(instance_id, arrival)
    return arrival


def _publish(instance_id, arrival: datetime) -> None:
    try:
        flags_client().set(
            DOOR_KEY.format(instance_id=instance_id),
            f"{arrival.timestamp():.6f}",
            ex=settings.DOOR_POSITION_TTL_SECONDS,
        )
    except Exception:
        # The row is stored with its arrival; without the position a turn
        # may close before a late webhook of its window is stored (it then
        # opens the next turn): a burst split in two, nothing lost.
        logger.warning("could not publish the webhook door's position", exc_info=True)


def door_position(instance_id) -> datetime | None:
    """The arrival of the latest webhook the webs stored late, while they are
    behind; None when they are not (or Redis cannot tell)."""
    try:
        value = flags_client().get(DOOR_KEY.format(instance_id=instance_id))
    except Exception:
        logger.warning("could not read the webhook door's position", exc_info=True)
        return None
    if value is None:
        return None
    return datetime.fromtimestamp(float(value), UTC)


def door_passed(instance_id, moment: datetime) -> bool:
    """Whether every webhook of the instance that arrived by ``moment`` has
    been stored (give or take ``CONCAT_ARRIVAL_GRACE_SECONDS``, which the
    caller adds: web processes store concurrently, not in strict order)."""
    return position_passed(door_position(instance_id), moment)


def position_passed(position: datetime | None, moment: datetime) -> bool:
    """``door_passed`` on a position already read (None: the webs keep up)."""
    return position is None or position >= moment


def door_reset() -> None:
    """Forget this process's offsets and busy stretch (a process starts with none)."""
    _SEEN.clear()
    _BUSY.since = _BUSY.last_end = None
