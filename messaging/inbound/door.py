"""When a webhook reached us, even while the web processes are behind.

Every later step measures a turn's window on the inbox row's
``received_at``. Taken when a web process handles the request, it is late
by however long the request waited in front of it: in a reply wave the
webs fall seconds behind, a customer's messages sent 1 s apart look 3 s
apart, and the burst splits into several turns.

The reverse proxy in front of the webs knows when each request came in
and says so in a header (``ARRIVAL_HEADER``, e.g. ``X-Request-Start:
t=1700000000.123`` from nginx's ``$msec``; deploy/nginx.conf). When that
header is configured, it is the arrival of every webhook, whatever the
gateway, clamped to ``[now - ARRIVAL_MAX_LAG_SECONDS, now]`` (a proxy's
clock a little ahead, a stamp from the distant past). Only a configured
header is read: the proxy must overwrite whatever a client sent in it
(docs/DEPLOY.md), or anyone could move their messages' arrival. Without one
(``make run``, a single process with no queue in front of it) the arrival
is ``now``.

While the webs are behind, a turn must not close on our clock alone:
webhooks that arrived within its window may still wait in front of them,
where no inbox row shows them yet. A web process that stores a webhook more
than ``LATE_SECONDS`` after it arrived publishes, per instance, that
webhook's arrival: the door's position, kept ``POSITION_TTL_SECONDS``. A due
turn closes only once the door has passed its end (``door_passed``); when
the webs catch up, nothing is published and the key expires.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core import metrics
from messaging.inbound.flags import flags_client

logger = logging.getLogger(__name__)

DOOR_KEY = "atende:inbox:door:{instance_id}"

# A webhook stored this long after it arrived means the webs are behind.
LATE_SECONDS = 0.5
# From the proxy to a web process that keeps up: well within this.
HOP_SECONDS = 0.1
# The position expires this long after the last late webhook: the webs
# have caught up (or stopped), and due turns close on the inbox alone.
POSITION_TTL_SECONDS = 2
# A few times a second is enough (the position is read against windows of
# seconds) and spares a busy web a Redis call per webhook.
PUBLISH_EVERY_SECONDS = 0.2

# Per instance, when this process last published the position.
_PUBLISHED: dict[str, float] = {}

# Digits of an integer stamp: 10 seconds, 13 milliseconds, 16 microseconds
# (every date from 2001 to 2286).
_DIVISORS = {10: 1, 13: 1_000, 16: 1_000_000}


def request_start_seconds(value: str) -> float | None:
    """Seconds since the epoch from a request-start header: ``t=<seconds.millis>``
    (nginx's ``$msec``), ``t=<millis>`` or ``t=<micros>`` (the ``t=`` optional).
    None when it is none of these."""
    text = value.strip()
    if text.startswith("t="):
        text = text[2:]
    if "." in text:
        whole, _, fraction = text.partition(".")
        if not (whole.isdigit() and fraction.isdigit() and len(whole) == 10):
            return None
        return float(text)
    divisor = _DIVISORS.get(len(text)) if text.isdigit() else None
    return int(text) / divisor if divisor else None


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def edge_stamp(meta: Mapping, *, now: datetime | None = None) -> datetime | None:
    """When the request reached the proxy: the configured header's stamp,
    clamped to ``[now - ARRIVAL_MAX_LAG_SECONDS, now]``; None without a
    configured header or a readable stamp. ``meta``: the request's META."""
    header = settings.ARRIVAL_HEADER
    if not header:
        return None
    value = meta.get(_meta_key(header))
    seconds = request_start_seconds(value) if isinstance(value, str) else None
    if seconds is None:
        return None
    now = now or timezone.now()
    lag = min(max(0.0, now.timestamp() - seconds), settings.ARRIVAL_MAX_LAG_SECONDS)
    metrics.WEBHOOK_DOOR_WAIT_SECONDS.observe(lag)
    return now - timedelta(seconds=lag)


def request_arrival(meta: Mapping, *, now: datetime | None = None) -> datetime:
    """The edge stamp, or ``now`` without one."""
    now = now or timezone.now()
    return edge_stamp(meta, now=now) or now


def arrival_grace() -> timedelta:
    """How long after a turn's end its closers look: with a proxy's stamp, a
    request stamped just before the end may still be on its way to a web
    process that keeps up (``HOP_SECONDS``); without one, a webhook's arrival
    is when a web takes it, and the ones in flight are known
    (``messaging.inbound.in_flight``)."""
    return timedelta(seconds=HOP_SECONDS if settings.ARRIVAL_HEADER else 0)


def door_note(instance_id, arrival: datetime, *, now: datetime | None = None) -> None:
    """A webhook that arrived at ``arrival`` is being stored: if it waited
    long in front of the webs, publish the door's position."""
    now = now or timezone.now()
    if (now - arrival).total_seconds() <= LATE_SECONDS:
        return
    key = str(instance_id)
    clock = time.monotonic()
    if clock - _PUBLISHED.get(key, -math.inf) < PUBLISH_EVERY_SECONDS:
        return
    _PUBLISHED[key] = clock
    try:
        flags_client().set(
            DOOR_KEY.format(instance_id=instance_id),
            f"{arrival.timestamp():.6f}",
            ex=POSITION_TTL_SECONDS,
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
    been taken by a web process (give or take ``arrival_grace``, which the
    caller adds: web processes take requests concurrently, not in strict
    order; the ones taken and not stored yet are in flight)."""
    return position_passed(door_position(instance_id), moment)


def position_passed(position: datetime | None, moment: datetime) -> bool:
    """``door_passed`` on a position already read (None: the webs keep up)."""
    return position is None or position >= moment


def door_reset() -> None:
    """Forget when this process published (a process starts with nothing)."""
    _PUBLISHED.clear()
