"""A GIN index on the chunks' tsvector for ranked full-text search.

PostgreSQL only (like contacts' trigram indexes): the embedded SQLite
searches the text itself.
"""

from django.db import migrations

from core.db import is_postgresql


def create_index(apps, schema_editor):
    if not is_postgresql(schema_editor.connection.alias):
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS assistant_chunk_search_gin "
        "ON assistant_knowledgechunk USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if not is_postgresql(schema_editor.connection.alias):
        return
    schema_editor.execute("DROP INDEX IF EXISTS assistant_chunk_search_gin")


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
