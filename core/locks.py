"""PostgreSQL advisory locks for work only one process may do at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from core.db import is_postgresql


@contextmanager
def advisory_lock_try(lock_class: int, key: str) -> Iterator[bool]:
    """Try ``pg_try_advisory_lock(lock_class, hashtext(key))``; yields whether
    it was free, and releases it on the way out.

    A session lock, not a transaction one: it spans the holder's several
    transactions, and a killed worker's lock goes with its connection. The
    embedded SQLite setup has none: it yields True (SQLite serializes
    writers anyway).
    """
    if not is_postgresql():
        # SQLite has no advisory locks; it serializes writers itself, and the
        # drains' claims there are leases (messaging.inbound.drain).
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [lock_class, key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [lock_class, key])
