"""The one backoff formula for retried work (transcriptions, gateway sends)."""

import random


def backoff_seconds(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    jitter: float = 0.0,
) -> float:
    """Seconds before retry number ``attempt`` (1 for the first): ``base``
    doubled each time, at least what the other side asked for
    (``retry_after``), at most ``cap``; ``jitter`` spreads it by that
    fraction either way so retries of one outage do not arrive together."""
    delay = min(max(base * 2 ** max(attempt - 1, 0), retry_after or 0), cap)
    if jitter:
        delay *= random.uniform(1 - jitter, 1 + jitter)
    return float(delay)
