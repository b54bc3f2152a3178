"""Each test process's PostgreSQL database cloned from one migrated a run.

Under ``pytest -n`` every process created its test database and migrated it:
the same migrate (about 7 s of CPU) once per process, all at the start of
the run, at once. Now the first process to get there migrates one database,
``<test database>_template`` (without the process's ``_gw<n>``), and every
process has its own made from it by PostgreSQL (``CREATE DATABASE … TEMPLATE``,
a copy of its files: a fraction of a second). An advisory lock orders the
processes; the template carries the run's id as its comment, so the next
run (new migrations, perhaps) makes it anew.

A run without ``-n``, ``--reuse-db`` and a database that must be serialized
(``serialized_rollback``) are made as pytest-django makes them.
"""

import os
import re

from django.conf import settings
from django.db.backends.postgresql.creation import DatabaseCreation

# pg_advisory_lock's key: any number no other client of the server uses.
LOCK_KEY = 4_172_023_001
RUN_ID = "PYTEST_XDIST_TESTRUNUID"

_create_test_db = DatabaseCreation.create_test_db


def template_name(test_database_name: str) -> str:
    return re.sub(r"_gw\d+$", "", test_database_name) + "_template"


def _template_is_this_runs(cursor, template: str, run: str) -> bool:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [template],
    )
    row = cursor.fetchone()
    return row is not None and row[0] == run


def _migrate_template(creation: DatabaseCreation, template: str, verbosity: int) -> None:
    test = creation.connection.settings_dict["TEST"]
    own_name, test["NAME"] = test.get("NAME"), template
    original = creation.connection.settings_dict["NAME"]
    try:
        _create_test_db(creation, verbosity, autoclobber=True, serialize=False, keepdb=False)
    finally:
        creation.connection.close()
        test["NAME"] = own_name
        creation.connection.settings_dict["NAME"] = original
        settings.DATABASES[creation.connection.alias]["NAME"] = original


def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    run = os.environ.get(RUN_ID)
    if not run or keepdb or serialize:
        return _create_test_db(self, verbosity, autoclobber, serialize, keepdb)
    name = self._get_test_db_name()
    template = template_name(name)
    quote = self.connection.ops.quote_name
    with self._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            if not _template_is_this_runs(cursor, template, run):
                _migrate_template(self, template, verbosity)
                # COMMENT takes no parameters; the run id is xdist's hex uuid.
                cursor.execute(
                    f"COMMENT ON DATABASE {quote(template)} IS '{re.sub(r'[^0-9a-f]', '', run)}'"
                )
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    self.connection.close()
    settings.DATABASES[self.connection.alias]["NAME"] = name
    self.connection.settings_dict["NAME"] = name
    self.connection.ensure_connection()
    return name


def use_cloned_databases() -> None:
    DatabaseCreation.create_test_db = create_test_db
