"""Where the code asks which database it runs on (core.db.is_postgresql).

Only core/db.py reads the connection's vendor; the branches on
``is_postgresql`` are the ones docs/ARCHITECTURE.md lists, each with its
SQLite side tested in tests/sqlite (run on SQLite by ``make test``) and its
PostgreSQL side by the rest of the suite.
"""

import importlib
import os
import re
from pathlib import Path

from django.db import connection

from core.db import is_postgresql

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"var", "tests", "bench", "node_modules", "staticfiles", "__pycache__"}

# module -> how many times it branches. A new branch: add it here, to
# ARCHITECTURE's "Two databases" and its SQLite test to tests/sqlite.
BRANCHES = {
    "assistant/knowledge.py": 2,
    "assistant/migrations/0002_knowledge_search_index.py": 2,
    "contacts/migrations/0001_initial.py": 2,
    "core/bulk.py": 2,
    "core/locks.py": 1,
    "integrations/claiming.py": 1,
    "messaging/inbound/claim.py": 1,
    "messaging/inbound/inbox.py": 1,
    "messaging/inbound/ingest_batch.py": 1,
    "messaging/inbound/senders.py": 1,
    "messaging/turns/arrival.py": 1,
    "messaging/turns/close.py": 1,
    "messaging/turns/together.py": 1,
}


def _sources():
    """(path from the root, text) of the project's Python files, tests aside."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(folder, name)
                yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_only_core_db_reads_the_vendor():
    readers = [name for name, text in _sources() if re.search(r"\.vendor\b", text)]
    assert readers == ["core/db.py"]


def test_the_branches_are_the_documented_ones():
    calls = {
        name: len(re.findall(r"\bis_postgresql\(", text))
        for name, text in _sources()
        if name != "core/db.py"
    }
    assert {name: n for name, n in calls.items() if n} == BRANCHES
    documented = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    assert all(name in documented for name in BRANCHES)


def test_the_suite_runs_on_postgresql():
    assert is_postgresql()
    assert connection.vendor == "postgresql"


POSTGRESQL_INDEXES = {
    "contact_name_trgm",
    "contact_phone_trgm",
    "contact_email_trgm",
    "assistant_chunk_search_gin",
}
MIGRATIONS = [
    ("contacts.migrations.0001_initial", "create_indexes", "drop_indexes"),
    ("assistant.migrations.0002_knowledge_search_index", "create_index", "drop_index"),
]


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


def test_the_postgresql_only_indexes_exist_and_migrate_both_ways(db):
    assert _index_names() >= POSTGRESQL_INDEXES
    # Inside the test's transaction (PostgreSQL's DDL is transactional).
    migrations = [(importlib.import_module(m), f, b) for m, f, b in MIGRATIONS]
    with connection.schema_editor(atomic=False) as editor:
        for migration, _, backward in migrations:
            getattr(migration, backward)(None, editor)
    assert not POSTGRESQL_INDEXES & _index_names()
    with connection.schema_editor(atomic=False) as editor:
        for migration, forward, _ in migrations:
            getattr(migration, forward)(None, editor)
    assert _index_names() >= POSTGRESQL_INDEXES
