"""A migrated database, and the environment, for the tests that start make
run's stack on the embedded defaults (SQLite and the file-system broker).

Migrating from nothing costs each such test about 6 s of CPU; the
database is migrated once a run (``migrate_embedded``, the
``migrated_sqlite`` fixture of tests/system/) and copied into each test's
var/ (``seed_var``), where the stack's own migrate has nothing left to do.
The README walkthrough still starts from nothing, as a newcomer does.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# config.settings' embedded database in ATENDE_VAR_DIR.
SQLITE_NAME = "atende.sqlite3"
# Not handed to the embedded stack: the services that would make it not
# embedded, and make's own variables, through which the command line of a
# `make test DATABASE_URL=...` would reach the make run a test starts.
NOT_INHERITED = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "DJANGO_SETTINGS_MODULE",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
    }
)


def embedded_env(*, dropped: tuple[str, ...] = (), **values: str) -> dict[str, str]:
    """This process's environment for a process of the embedded stack:
    without ``NOT_INHERITED`` and ``dropped``, with ``values``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in NOT_INHERITED and key not in dropped
    }
    env.update(values)
    return env


def migrate_embedded(var: Path) -> Path:
    """Migrate the embedded database in ``var``; its path."""
    env = embedded_env(ATENDE_VAR_DIR=str(var))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return var / SQLITE_NAME


def seed_var(var: Path, database: Path) -> Path:
    """``var`` made, with a copy of the migrated ``database`` in it."""
    var.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, var / SQLITE_NAME)
    return var
