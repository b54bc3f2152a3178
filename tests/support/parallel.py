"""What one test process owns, so several can run side by side (``pytest -n``).

Loaded with ``-p tests.support.parallel`` (pyproject's addopts) and so
imported before pytest-django reads the settings: everything here is put in
the environment, where ``config.settings`` reads it and where the Celery
workers, web servers and commands the tests start inherit it.

Each pytest-xdist worker (``gw0``, ``gw1``, ...) gets, besides the test
database pytest-django suffixes with its name:

- its own Redis database: the one ``REDIS_URL`` names plus the worker's
  index. Celery's queues (and its broadcast channels, which kombu prefixes
  with the database) live there, so a task one worker's test queues is only
  ever run by that worker's Celery process, against that worker's test
  database; a test that flushes the broker flushes only its own.
- its own folder for local state (``ATENDE_VAR_DIR``: media, the
  embedded broker) and for Prometheus' per-process metric files
  (``PROMETHEUS_MULTIPROC_DIR``): a test that adds up /metrics counts only
  its own processes' counters.

A run without ``-n`` is one process and gets the same, at index 0. The
folders are made fresh for the run and removed after it.

Tests are handed out one by one (xdist's ``load``), except that the tests
of a folder sharing a costly package fixture (``TOGETHER``) go to one
process, so the fixture starts once. The longest go first (``LONGEST``): a
process that takes a minute-long test at the end of the run would leave the
others idle while it finishes, and short tests fill the gaps the long ones
leave. The browser and worker tests, seconds each and most of it waiting
(for a window, a poll, a worker), are spread through the first part of the
short ones: taken together, both processes would wait at once and leave
the CPUs idle; spread, one process's wait is the other's CPU.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

import pytest
from xdist.scheduler import LoadScopeScheduling

# Redis' default number of databases ("databases" in redis.conf).
REDIS_DATABASES = 16
# Test processes per CPU under ``-n auto``. Much of the suite waits (a
# turn's window, a worker, a browser's poll, a stack starting): with one
# process per CPU the CPUs idled a quarter of the run; with two they are
# busy (2 CPUs: 304 s with two processes, 218 s with four).
PROCESSES_PER_CPU = 2
# Folders whose tests share a package-scoped fixture that takes long to
# start: system/stack/ starts PostgreSQL, Redis, gunicorn and a worker.
TOGETHER = ("tests/system/stack/",)
# The tests that take tens of seconds each, in the order they are handed
# out: they start whole stacks (make run, nginx, private servers) or run
# schemathesis' phases. The longest first, each schemathesis run (busy on
# both CPUs: the client and the server) beside a stack that mostly waits.
CONTRACT = "tests/core/test_api_schema.py::test_schemathesis_finds_nothing"
LONGEST = (
    f"{CONTRACT}[coverage-of-writes]",
    "tests/system/test_readme_walkthrough.py",
    f"{CONTRACT}[examples-fuzzing-stateful]",
    "tests/system/test_make_run_stops.py",
    f"{CONTRACT}[coverage-of-reads]",
    "tests/system/",
)
# These marks' tests take seconds, mostly waiting (a browser, a worker's windows).
WAITING_MARKS = frozenset({"browser", "worker"})
# And the tests that use these: a real worker, a server in a thread.
WAITING_FIXTURES = frozenset({"celery_worker", "live_server"})
# The share of the short tests the waiting ones are spread through: the
# rest, at the end, evens out when the processes finish.
SPREAD_OVER = 0.8


def worker_index() -> int:
    """0 for ``gw0`` or a run without xdist, 1 for ``gw1``, ..."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw"))


def shifted_redis_url(url: str, index: int) -> str:
    """``url`` on its database number plus ``index``."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    db = base + index
    if db >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"test process {index} would use Redis database {db} of {url}, and Redis has "
            f"{REDIS_DATABASES}: run fewer processes (-n) or point REDIS_URL at a lower database."
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


def _redis_base() -> int:
    path = urlsplit(os.environ.get("REDIS_URL", "")).path.strip("/")
    return int(path) if path.isdigit() else 0


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: ``PROCESSES_PER_CPU`` processes per CPU, but never more
    than Redis has databases from ``REDIS_URL``'s on
    (``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides)."""
    wanted = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    count = int(wanted) if wanted.isdigit() else PROCESSES_PER_CPU * len(os.sched_getaffinity(0))
    return max(1, min(count, REDIS_DATABASES - _redis_base()))


def _own_environment() -> str:
    index = worker_index()
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name, "").startswith(("redis://", "rediss://")):
            os.environ[name] = shifted_redis_url(os.environ[name], index)
    folder = tempfile.mkdtemp(prefix=f"atende-tests-gw{index}-")
    os.environ["ATENDE_VAR_DIR"] = os.path.join(folder, "var")
    # MEDIA_ROOT follows ATENDE_VAR_DIR, here and in the stacks the system
    # tests start with a var/ of their own.
    os.environ.pop("MEDIA_ROOT", None)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(folder, "metrics")
    return folder


_FOLDER = _own_environment()


def _waits(item) -> bool:
    return bool(WAITING_FIXTURES & set(getattr(item, "fixturenames", ()))) or any(
        mark.name in WAITING_MARKS for mark in item.iter_markers()
    )


def spread(waiting: list, short: list, share: float = SPREAD_OVER) -> list:
    """``short`` with ``waiting`` placed at even steps through its first
    ``share``, each keeping its order."""
    if not waiting:
        return list(short)
    step = len(short) * share / len(waiting)
    merged, taken = [], 0
    for index, item in enumerate(waiting):
        until = round(index * step)
        merged.extend(short[taken:until])
        taken = max(taken, until)
        merged.append(item)
    return merged + short[taken:]


def pytest_collection_modifyitems(config, items) -> None:
    """The longest tests first, then the short ones with the waiting ones
    spread among them (file order kept within each kind)."""
    longest = sorted(
        (item for item in items if item.nodeid.startswith(LONGEST)),
        key=lambda item: next(i for i, p in enumerate(LONGEST) if item.nodeid.startswith(p)),
    )
    rest = [item for item in items if not item.nodeid.startswith(LONGEST)]
    waiting = [item for item in rest if _waits(item)]
    short = [item for item in rest if not _waits(item)]
    items[:] = longest + spread(waiting, short)


def _together(nodeid: str) -> str | None:
    return next((folder for folder in TOGETHER if nodeid.startswith(folder)), None)


class _OneByOneButTogether(LoadScopeScheduling):
    """xdist's ``load`` (every test a unit of work of its own), except that
    a ``TOGETHER`` folder is one unit. xdist's own ``loadgroup`` would do
    it from an ``xdist_group`` mark, but it renames the tests through an
    attribute pytest 9's items no longer read."""

    def _split_scope(self, nodeid: str) -> str:
        return _together(nodeid) or nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "load":
        return _OneByOneButTogether(config, log)
    return None


def pytest_report_header(config) -> list[str]:
    return [f"redis: {os.environ.get('REDIS_URL', '')}, local state: {_FOLDER}"]


def pytest_unconfigure(config) -> None:
    shutil.rmtree(_FOLDER, ignore_errors=True)
