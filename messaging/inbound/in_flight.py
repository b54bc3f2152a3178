"""Webhooks in flight: taken by a web process, not yet stored.

A turn closes once every webhook of its chat that arrived by its end is
ingested. The inbox shows the ones stored (``messaging.inbound.watermark``);
a webhook a web process is still storing shows nowhere yet, and a turn that
closed then would lose it to the next turn. So a web process registers
each webhook, with its partition and arrival, before it takes its arrival
time and until its row is committed: one Redis sorted set per instance,
scored by when it was registered. A closer asks for the oldest arrival in
flight in its partition and waits only while that is before its end: a
few milliseconds, instead of a fixed grace on every turn.

Two Redis round trips per webhook: registering is one script call (trim,
add, expire); leaving a stored webhook's flight goes in the same pipeline
as its drain's wake-up (``messaging.inbound.wake``), after the INSERT.

The arrival registered is a floor of the row's ``received_at``: the
proxy's stamp itself, or, without one, the time just before registering
(the row's own time is taken after it, so a closer that saw nothing in
flight at ``T`` cannot miss a webhook that arrived before ``T``).

A web process that dies between the two leaves its entry behind: entries
older than ``STALE_SECONDS`` are ignored and trimmed. Without Redis (the
embedded setup) nothing is registered: the race is milliseconds wide, and
a webhook lost to it opens the next turn.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings

from messaging.inbound.flags import flags_client

logger = logging.getLogger(__name__)

IN_FLIGHT_KEY = "atende:inbox:in-flight:{instance_id}"
# Longer than a web process takes to store a webhook it has parsed.
STALE_SECONDS = 10


def _key(instance_id) -> str:
    return IN_FLIGHT_KEY.format(instance_id=instance_id)


# Registering is one command on the webhook's hot path: trim the stale
# entries, add this one, keep the key alive STALE_SECONDS.
_ENTER_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2] - ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
"""


@functools.cache
def _enter_script(client):
    return client.register_script(_ENTER_SCRIPT)


def in_flight_enter(instance_id, partition: int, arrival: datetime) -> str | None:
    """Register a webhook about to be stored; its token for ``in_flight_leave``
    (None when nothing was registered)."""
    if not settings.REDIS_URL:
        return None
    token = f"{uuid.uuid4().hex}|{partition}|{arrival.timestamp():.6f}"
    try:
        client = flags_client()
        _enter_script(client)(
            keys=[_key(instance_id)], args=[token, f"{time.time():.6f}", STALE_SECONDS]
        )
    except Exception:
        logger.warning("could not register a webhook in flight", exc_info=True)
        return None
    return token


def in_flight_leave(instance_id, token: str | None) -> None:
    """The webhook's row is committed (or will not be): it is in flight no more."""
    if token is None:
        return
    try:
        flags_client().zrem(_key(instance_id), token)
    except Exception:
        # Its entry goes stale and is ignored after STALE_SECONDS.
        logger.warning("could not end a webhook's flight", exc_info=True)


def in_flight_leave_queued(pipe, instance_id, token: str) -> None:
    """``in_flight_leave`` queued on a Redis pipeline, for a caller with
    more to say to Redis once the row is committed (``messaging.inbound.wake``):
    one round trip for both."""
    pipe.zrem(_key(instance_id), token)


def in_flight_oldest(instance_id, partition: int) -> datetime | None:
    """The earliest arrival of the partition's webhooks in flight, None when
    none is (or Redis cannot tell)."""
    return in_flight_oldest_by_partition(instance_id).get(partition)


def in_flight_oldest_by_partition(instance_id) -> dict[int, datetime]:
    """{partition: the earliest arrival of its webhooks in flight}, for the
    partitions with one, in one read (empty when Redis cannot tell)."""
    if not settings.REDIS_URL:
        return {}
    try:
        tokens = flags_client().zrangebyscore(
            _key(instance_id), time.time() - STALE_SECONDS, "+inf"
        )
    except Exception:
        logger.warning("could not read the webhooks in flight", exc_info=True)
        return {}
    oldest: dict[int, float] = {}
    for token in tokens:
        _, partition, arrival = token.decode().split("|")
        key = int(partition)
        oldest[key] = min(float(arrival), oldest.get(key, float(arrival)))
    return {key: datetime.fromtimestamp(at, UTC) for key, at in oldest.items()}
