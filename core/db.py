"""The one question the code asks about its database.

Production and the test suite run on PostgreSQL; ``make run`` without
``DATABASE_URL`` runs the same code on SQLite (the embedded setup). The code
branches on ``is_postgresql()`` only where PostgreSQL does something SQLite
cannot, or does it measurably cheaper, and each branch says which at the
branch. docs/ARCHITECTURE.md ("Two databases") lists them; ``tests/sqlite``
runs every SQLite side, the rest of the suite every PostgreSQL one.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def is_postgresql(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True on PostgreSQL, False on SQLite.

    What the PostgreSQL sides use that SQLite lacks: advisory locks, ``COPY``,
    ``FOR UPDATE SKIP LOCKED``, full-text search and GIN/trigram indexes;
    and raw statements written for PostgreSQL (casts such as ``::uuid`` and
    ``::jsonb``, ``= ANY(array)``, ``interval`` arithmetic) whose parameters
    psycopg adapts as they are (UUIDs, aware datetimes, lists), where Django's
    SQLite driver needs the ORM to convert them.
    """
    return connections[using].vendor == "postgresql"
