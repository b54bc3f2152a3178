"""The drains' wake flags: one Redis ``SET NX`` per webhook instead of one
Celery task (a publish costs a web process about ten times the SET).

Per partition, the flag is set while a drain is queued and has not started:
only the webhook that sets it queues ``inbox_drain``
(``messaging.inbound.tasks.inbox_wake``); the webhooks meanwhile need no
task of their own. A drain clears the flag under its partition's lock,
before its first claim, so a row committed earlier is claimed by that drain
and one committed later sets the flag and queues the next
(``messaging.inbound.drain.inbox_drain_partition``). The flag expires in
case its drain is lost; the sweeper covers the rows meanwhile.
"""

from __future__ import annotations

from messaging.inbound.flags import flags_client
from messaging.inbound.in_flight import in_flight_leave_queued

WAKE_KEY = "atende:inbox:drain-pending:{instance_id}:{partition}"

WAKE_TTL_SECONDS = 30


def _wake_key(instance_id, partition: int) -> str:
    return WAKE_KEY.format(instance_id=instance_id, partition=partition)


def wake_flag_set(instance_id, partition: int, *, in_flight: str | None = None) -> bool:
    """Set the partition's flag; True when this call set it (no drain was pending).

    ``in_flight``: the stored webhook's in-flight token
    (``messaging.inbound.in_flight``), ended in the same Redis round trip.
    """
    key = _wake_key(instance_id, partition)
    if in_flight is None:
        return bool(flags_client().set(key, 1, nx=True, ex=WAKE_TTL_SECONDS))
    pipe = flags_client().pipeline(transaction=False)
    in_flight_leave_queued(pipe, instance_id, in_flight)
    pipe.set(key, 1, nx=True, ex=WAKE_TTL_SECONDS)
    return bool(pipe.execute()[-1])


def wake_flag_is_set(instance_id, partition: int) -> bool:
    return bool(flags_client().exists(_wake_key(instance_id, partition)))


def inbox_wake_reset(instance_id, partition: int = 0) -> None:
    """A drain is starting: the next webhook must queue another one."""
    flags_client().delete(_wake_key(instance_id, partition))
