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
the arrival is ``now``, as before. The gateway's clock is trusted for
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
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core import metrics
from messaging.inbound.flags import flags_client

logger = logging.getLogger(__name__)

DOOR_KEY = "atende:inbox:door:{instance_id}"


class _Offsets:
    """Per instance, the smallest ``now - sent`` of the last window, kept in
    two half-window buckets (this process's own view: each web process
    learns it from the webhooks it handles)."""

    def __init__(self) -> None:
        self._by_instance: dict[str, tuple[int, float, float]] = {}

    def observe(self, instance_id, sample: float, now: float) -> float:
        half = max(1.0, settings.DOOR_OFFSET_WINDOW_SECONDS / 2)
        bucket = int(now // half)
        key = str(instance_id)
        last_bucket, current, previous = self._by_instance.get(key, (bucket, math.inf, math.inf))
        if bucket != last_bucket:
            previous = current if bucket == last_bucket + 1 else math.inf
            current = math.inf
        current = min(current, sample)
        self._by_instance[key] = (bucket, current, previous)
        return min(current, previous)

    def clear(self) -> None:
        self._by_instance.clear()


_OFFSETS = _Offsets()


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

# Per instance, the arrival this process gave its latest webhook, and when
# it last published the door's position.
_LATEST: dict = {}
_PUBLISHED: dict = {}
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
    offset = _OFFSETS.observe(instance_id, sample, now.timestamp())
    lag = min(max(0.0, sample - offset), busy_for, settings.DOOR_MAX_LAG_SECONDS)
    metrics.WEBHOOK_DOOR_WAIT_SECONDS.observe(lag)
    # Never before the webhook this process stored just before it: the
    # drains take a chat's rows in arrival order, and a message must stay
    # ahead of its edit even when the gateway stamped both in one millisecond.
    arrival = max(now - timedelta(seconds=lag), _LATEST.get(instance_id, now - timedelta(days=1)))
    _LATEST[instance_id] = arrival
    if lag > settings.DOOR_LATE_SECONDS:
        # A few times a second is enough (the position is read against
        # windows of seconds) and spares a busy web a Redis call per webhook.
        clock = time.monotonic()
        if clock - _PUBLISHED.get(instance_id, -math.inf) >= PUBLISH_EVERY_SECONDS:
            _PUBLISHED[instance_id] = clock
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
        # opens the next turn), which is how it was before the door knew.
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
    position = door_position(instance_id)
    return position is None or position >= moment


def door_reset() -> None:
    """Forget this process's offsets and busy stretch (a process starts with none)."""
    _OFFSETS.clear()
    _LATEST.clear()
    _PUBLISHED.clear()
    _BUSY.since = _BUSY.last_end = None
