"""The assistant's relations to the conversation models, and a GIN index on
the knowledge chunks' tsvector for ranked full-text search.

The index is PostgreSQL-only (like contacts' trigram indexes): the embedded
SQLite searches the text itself.
"""

import django.db.models.deletion
from django.db import migrations, models

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

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('assistant', '0001_initial'),
        ('messaging', '0001_initial'),
        ('sessions_app', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='assistantrun',
            name='reply_message',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='messaging.message', verbose_name='reply message'),
        ),
        migrations.AddField(
            model_name='assistantrun',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sessions_app.chatsession', verbose_name='session'),
        ),
        migrations.AddField(
            model_name='assistantrun',
            name='turn',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='messaging.turn', verbose_name='turn'),
        ),
        migrations.AddField(
            model_name='knowledgechunk',
            name='assistant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assistant.assistant', verbose_name='assistant'),
        ),
        migrations.AddField(
            model_name='knowledgedocument',
            name='assistant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='assistant.assistant', verbose_name='assistant'),
        ),
        migrations.AddField(
            model_name='knowledgedocument',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization', verbose_name='organization'),
        ),
        migrations.AddField(
            model_name='knowledgechunk',
            name='document',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='assistant.knowledgedocument', verbose_name='document'),
        ),
        migrations.AddConstraint(
            model_name='assistant',
            constraint=models.UniqueConstraint(fields=('organization', 'name'), name='assistant_name_unique_per_org'),
        ),
        migrations.AddIndex(
            model_name='assistantrun',
            index=models.Index(fields=['organization', 'started_at'], name='assistant_a_organiz_0dc4fd_idx'),
        ),
        migrations.AddIndex(
            model_name='assistantrun',
            index=models.Index(fields=['session', 'started_at'], name='assistant_a_session_9c8bb2_idx'),
        ),
        migrations.AddIndex(
            model_name='knowledgechunk',
            index=models.Index(fields=['assistant', 'document'], name='assistant_k_assista_821652_idx'),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
