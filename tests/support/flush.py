"""What a committing test leaves behind is deleted, not truncated.

After every test whose writes commit (``transactional_db``, ``live_server``,
a real worker) Django empties every table with the ``flush`` command, which
on PostgreSQL is one ``TRUNCATE`` of them all: each table gets new files,
0.15 s a test on an idle machine and about 0.5 s on a busy one, two minutes
over the suite. A test leaves a few rows; deleting them costs milliseconds.

Django makes PostgreSQL's foreign keys ``DEFERRABLE INITIALLY DEFERRED``,
so the rows are deleted in any order within the flush's transaction and
the constraints are checked when it commits. Content types, permissions and
the periodic schedules are kept: they follow from the models and from
config/schedules.py, not from a test, and the ``post_migrate`` that Django
sends after a flush finds them in place instead of writing them again (a
schedule a test changed is put back by it, core/schedules.py; one a test
added is deleted here). A flush that must restart the sequences
(``reset_sequences``) still truncates.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

from core.schedules import PREFIX

KEPT = frozenset({"django_content_type", "auth_permission"})
KEPT_PREFIX = "django_celery_beat_"
PERIODIC_TASK_TABLE = "django_celery_beat_periodictask"

_truncate = DatabaseOperations.sql_flush


def delete_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences:
        return _truncate(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    deletes = [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
        for table in tables
        if table not in KEPT and not table.startswith(KEPT_PREFIX)
    ]
    if PERIODIC_TASK_TABLE in tables:
        deletes.append(
            f"DELETE FROM {self.quote_name(PERIODIC_TASK_TABLE)} WHERE name NOT LIKE '{PREFIX}%';"
        )
    return [" ".join(["SET CONSTRAINTS ALL DEFERRED;", *deletes])] if deletes else []


def use_delete_flush() -> None:
    DatabaseOperations.sql_flush = delete_flush
