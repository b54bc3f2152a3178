"""Periodic tasks' routine lines go down to DEBUG; their failures and every
other task keep their level (core.logging.RoutineFilter)."""

import logging

from config.schedules import PERIODIC_TASKS
from core.logging import RoutineFilter

SWEEPER = "messaging.turns.turns_sweep_lost_windows"


def _record(logger: str, level: int, msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord(logger, level, __file__, 1, msg, args, None)


def _routine(level="INFO") -> RoutineFilter:
    return RoutineFilter(routine_tasks=[task for task, _ in PERIODIC_TASKS.values()], level=level)


def test_a_sweepers_beat_receipt_and_success_are_not_printed_at_info():
    lines = [
        _record(
            "celery.beat",
            logging.INFO,
            "Scheduler: Sending due task %s (%s)",
            "atende:turns-sweep-lost-windows",
            SWEEPER,
        ),
        _record("celery.worker.strategy", logging.INFO, "Task %s[%s] received", SWEEPER, "id-1"),
        _record(
            "celery.app.trace",
            logging.INFO,
            "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
            {"name": SWEEPER, "id": "id-1", "runtime": 0.01, "return_value": 0},
        ),
    ]
    assert not any(_routine().filter(record) for record in lines)
    # LOG_LEVEL=DEBUG shows them, as DEBUG lines.
    shown = [_record("celery.worker.strategy", logging.INFO, "Task %s[%s] received", SWEEPER, "x")]
    assert _routine("DEBUG").filter(shown[0]) and shown[0].levelname == "DEBUG"


def test_a_sweepers_failure_and_other_tasks_keep_their_level():
    failed = _record("celery.app.trace", logging.ERROR, "Task %s[%s] raised", SWEEPER, "id-2")
    turn = _record(
        "celery.worker.strategy", logging.INFO, "Task %s[%s] received", "a.turn_due", "i"
    )
    assert _routine().filter(failed) and failed.levelno == logging.ERROR
    assert _routine().filter(turn) and turn.levelno == logging.INFO
