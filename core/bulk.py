"""Set-based writes the ORM makes slow.

``QuerySet.bulk_update`` writes ``CASE WHEN id = … THEN …`` per field and
row; for a drain's batch of a few hundred rows Django spends more time
building and resolving those expressions than PostgreSQL spends running
them. On PostgreSQL one ``UPDATE … FROM (VALUES …)`` does the same.

``delete_in_batches`` is the other way round: the housekeeping tasks'
deletes of whatever passed its retention, a batch per statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models

from core.db import is_postgresql


def bulk_update_values(objs: Sequence[models.Model], fields: list[str]) -> int:
    """Write ``fields`` of ``objs`` (one model, saved rows) in one statement.
    Returns the rows updated. Other databases: ``bulk_update``."""
    if not objs:
        return 0
    model = type(objs[0])
    if not is_postgresql():
        # SQLite: bulk_update. On PostgreSQL one UPDATE … FROM (VALUES …) with
        # typed rows (the casts are PostgreSQL's) replaces bulk_update's CASE
        # per field and row, which cost a drain more than the statement did.
        return model.objects.bulk_update(objs, fields)
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: a look-up per value
    casts = [f"%s::{pk.db_type(db)}"] + [f"%s::{field.db_type(db)}" for field in columns]
    row = "(" + ", ".join(casts) + ")"
    params = []
    for obj in objs:
        params.append(pk.get_db_prep_save(obj.pk, db))
        for field in columns:
            params.append(field.get_db_prep_save(getattr(obj, field.attname), db))
    names = ", ".join(["pk"] + [field.column for field in columns])
    assignments = ", ".join(f'"{field.column}" = v."{field.column}"' for field in columns)
    # Table and column names come from the model; values are placeholders.
    sql = (
        f'UPDATE "{meta.db_table}" AS t SET {assignments} '  # noqa: S608
        f"FROM (VALUES {', '.join([row] * len(objs))}) AS v({names}) "
        f'WHERE t."{pk.column}" = v.pk'
    )
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def bulk_insert_copy(objs: Sequence[models.Model]) -> None:
    """Insert new rows of one model with PostgreSQL's COPY. Other
    databases: ``bulk_create``.

    ``bulk_create`` has psycopg quote every value into the statement text
    in Python (tens of thousands of values for a batch of wide rows), which
    costs more than the insert itself; COPY sends the rows as data. A
    constraint violation fails the whole COPY, like a failed INSERT.
    """
    if not objs:
        return
    model = type(objs[0])
    if not is_postgresql():
        # SQLite has no COPY: bulk_create. On PostgreSQL COPY sends the rows as
        # data instead of quoting every value into the statement in Python.
        model.objects.bulk_create(objs)
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    # The connection itself, not the proxy: tens of thousands of look-ups.
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        # The driver's own cursor: Django's wrapper has no COPY.
        with cursor.cursor.copy(f'COPY "{meta.db_table}" ({columns}) FROM STDIN') as copy:
            for obj in objs:
                copy.write_row(
                    [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]
                )
        for obj in objs:
            obj._state.adding = False


def delete_in_batches(queryset: models.QuerySet, *, batch: int = 5000) -> int:
    """Delete ``queryset``'s rows ``batch`` at a time; returns how many rows
    went (cascades included).

    A retention's worth of rows in one DELETE is one long statement holding
    its row locks to the end; in autocommit (a task) each batch here is a
    transaction of its own, so the writers meanwhile wait for one batch at
    most."""
    model = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += model.objects.filter(pk__in=ids).delete()[0]
