"""Trigram indexes for the API's and the admin's contact search.

``search`` is a substring match (Django's ``icontains``, which PostgreSQL
runs as ``UPPER(col::text) LIKE UPPER('%…%')``): a B-tree cannot serve a
leading wildcard, a pg_trgm GIN index on the same expression can. SQLite
(the embedded laptop setup) has no such index type, so this is
PostgreSQL-only.
"""

from django.db import migrations

from core.db import is_postgresql

COLUMNS = ("name", "phone", "email")


def create_indexes(apps, schema_editor):
    if not is_postgresql(schema_editor.connection.alias):
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS contact_{column}_trgm ON contacts_contact "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if not is_postgresql(schema_editor.connection.alias):
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_contact_bypass_bots_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
