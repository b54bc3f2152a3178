"""Web, worker and beat share the embedded SQLite file: a transaction that
reads, then writes, while another process writes must wait for it, not fail
with "database is locked".

In SQLite's default (deferred) transactions the reader holds a shared lock
and asks for the write lock the other holds, while the other needs the
reader gone to commit: SQLite answers one of them "database is locked" at
once, whatever the timeout. A turn's close does exactly that (it reads its
turns, then writes them) while the web stores webhooks. The embedded
settings begin every transaction IMMEDIATE: the write lock is taken first,
and waited for.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

WRITER_HOLDS = 0.5


@pytest.fixture
def two_processes(tmp_path, django_db_blocker):
    """Two connections to one SQLite file, as two processes have, with the
    embedded settings but for the transaction mode a test gives."""
    made = []

    def make(transaction_mode):
        base = settings.DATABASES["default"]
        for alias in ("first", "second"):
            connections.settings[alias] = {
                **connections["default"].settings_dict,
                "NAME": str(tmp_path / "shared.sqlite3"),
                "OPTIONS": {**base["OPTIONS"], "timeout": 3, "transaction_mode": transaction_mode},
            }
            made.append(alias)
        with connections["first"].cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS rows (n integer)")

    with django_db_blocker.unblock():
        yield make
        for alias in made:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def _read_then_write_while_the_other_writes() -> list:
    errors = []
    writing = threading.Event()

    def other_process():
        try:
            with transaction.atomic(using="second"):
                connections["second"].cursor().execute("INSERT INTO rows VALUES (1)")
                writing.set()
                time.sleep(WRITER_HOLDS)
        except OperationalError as exc:
            errors.append(str(exc))
        finally:
            writing.set()
            connections["second"].close()

    other = threading.Thread(target=other_process)
    other.start()
    writing.wait(5)
    try:
        with transaction.atomic(using="first"):
            cursor = connections["first"].cursor()
            cursor.execute("SELECT count(*) FROM rows")
            cursor.execute("INSERT INTO rows VALUES (2)")
    except OperationalError as exc:
        errors.append(str(exc))
    other.join(10)
    return errors


def test_the_embedded_settings_begin_transactions_immediate():
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_read_then_write_waits_for_the_other_writer(two_processes):
    two_processes(settings.DATABASES["default"]["OPTIONS"]["transaction_mode"])
    assert _read_then_write_while_the_other_writes() == []
    with connections["first"].cursor() as cursor:
        cursor.execute("SELECT n FROM rows ORDER BY n")
        assert cursor.fetchall() == [(1,), (2,)]


def test_deferred_transactions_would_fail_at_once(two_processes):
    two_processes("DEFERRED")
    assert _read_then_write_while_the_other_writes() == ["database is locked"]
