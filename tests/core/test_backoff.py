"""The one backoff formula retried work shares."""

import pytest

from core.backoff import backoff_seconds


def test_it_doubles_from_the_base_for_each_retry_up_to_the_cap():
    delays = [backoff_seconds(attempt, base=15, cap=600) for attempt in range(1, 8)]
    assert delays == [15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 600.0]


def test_it_waits_at_least_what_the_other_side_asked_but_never_past_the_cap():
    assert backoff_seconds(1, base=15, cap=600, retry_after=90) == 90.0
    assert backoff_seconds(1, base=15, cap=600, retry_after=3600) == 600.0


def test_jitter_spreads_the_delay_by_the_given_fraction_either_way():
    delays = {backoff_seconds(3, base=10, cap=600, jitter=0.2) for _ in range(50)}
    assert all(32.0 <= delay <= 48.0 for delay in delays)
    assert len(delays) > 1


def test_a_schedule_gives_each_retry_its_wait_and_its_last_one_past_the_end():
    schedule = [30, 60, 120, 300]
    delays = [backoff_seconds(attempt, schedule=schedule) for attempt in range(1, 7)]
    assert delays == [30.0, 60.0, 120.0, 300.0, 300.0, 300.0]


def test_a_schedule_keeps_the_other_sides_floor_and_the_cap():
    assert backoff_seconds(1, schedule=[30, 60], retry_after=90) == 90.0
    assert backoff_seconds(2, schedule=[30, 60], cap=45) == 45.0


def test_it_takes_a_base_or_a_schedule_not_both_nor_neither():
    for kwargs in ({}, {"schedule": []}, {"base": 10, "schedule": [30]}):
        with pytest.raises(TypeError):
            backoff_seconds(1, cap=600, **kwargs)
