"""The one backoff formula for retried work (transcriptions, gateway sends,
deliveries to integrations, the assistant's model calls)."""

import random
from collections.abc import Sequence


def backoff_seconds(
    attempt: int,
    *,
    base: float | None = None,
    schedule: Sequence[float] | None = None,
    cap: float = float("inf"),
    retry_after: float | None = None,
    jitter: float = 0.0,
) -> float:
    """Seconds before retry number ``attempt`` (1 for the first): ``base``
    doubled each time, or the ``schedule``'s wait for that retry (an
    operator's list of waits; its last one past its end); at least what
    the other side asked for (``retry_after``), at most ``cap``; ``jitter``
    spreads it by that fraction either way so retries of one outage do not
    arrive together."""
    if (base is None) == (not schedule):
        raise TypeError("backoff_seconds takes either a base or a non-empty schedule")
    if schedule:
        delay = schedule[min(max(attempt, 1), len(schedule)) - 1]
    else:
        delay = base * 2 ** max(attempt - 1, 0)
    delay = min(max(delay, retry_after or 0), cap)
    if jitter:
        delay *= random.uniform(1 - jitter, 1 + jitter)
    return float(delay)
