"""Contacts, their WhatsApp ids and tabulations.

The trigram indexes serve the API's and the admin's contact search:
``search`` is a substring match (Django's ``icontains``, which PostgreSQL
runs as ``UPPER(col::text) LIKE UPPER('%…%')``); a B-tree cannot serve a
leading wildcard, a pg_trgm GIN index on the same expression can. SQLite
(the embedded laptop setup) has no such index type, so they are
PostgreSQL-only.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from core.db import is_postgresql

TRIGRAM_COLUMNS = ("name", "phone", "email")


def create_indexes(apps, schema_editor):
    if not is_postgresql(schema_editor.connection.alias):
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS contact_{column}_trgm ON contacts_contact "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if not is_postgresql(schema_editor.connection.alias):
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{column}_trgm")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('auth', '__first__'),
        ('providers', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone', models.CharField(blank=True, max_length=20, null=True, verbose_name='phone')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email')),
                ('external_id', models.CharField(blank=True, max_length=200, verbose_name='external ID')),
                ('bypass_bots', models.BooleanField(default=False, help_text="Never hand this contact's messages to the AI.", verbose_name='AI off for this contact')),
                ('profile_picture_url', models.URLField(blank=True, max_length=1000, verbose_name='profile picture URL')),
                ('erased_at', models.DateTimeField(blank=True, null=True, verbose_name='erased at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='accounts.organization', verbose_name='organization')),
                ('source_instance', models.ForeignKey(blank=True, help_text='The instance this contact first wrote to.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='providers.instance', verbose_name='source instance')),
            ],
            options={
                'verbose_name': 'contact',
                'verbose_name_plural': 'contacts',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['organization', 'name'], name='contacts_co_organiz_bd39b0_idx'), models.Index(fields=['organization', 'external_id'], name='contacts_co_organiz_bc3d14_idx'), models.Index(fields=['organization', 'created_at'], name='contacts_co_organiz_2b2987_idx'), models.Index(fields=['organization', 'bypass_bots'], name='contacts_co_organiz_05b192_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('phone__isnull', False)), fields=('organization', 'phone'), name='contact_phone_unique_per_org')],
            },
        ),
        migrations.CreateModel(
            name='Tabulation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('background_color', models.CharField(default='#ffffff', max_length=7, verbose_name='background color')),
                ('auto_tabulation', models.BooleanField(default=False, verbose_name='automatic tag')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tabulations', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'tabulation',
                'verbose_name_plural': 'tabulations',
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('organization', 'name'), name='tabulation_name_unique_per_org')],
            },
        ),
        migrations.CreateModel(
            name='ContactTabulation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='added by')),
                ('contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_tabulations', to='contacts.contact', verbose_name='contact')),
                ('tabulation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_tabulations', to='contacts.tabulation', verbose_name='tag')),
            ],
            options={
                'verbose_name': 'contact tabulation',
                'verbose_name_plural': 'contact tabulations',
                'constraints': [models.UniqueConstraint(fields=('contact', 'tabulation'), name='contact_tabulation_unique')],
            },
        ),
        migrations.AddField(
            model_name='contact',
            name='tabulations',
            field=models.ManyToManyField(related_name='contacts', through='contacts.ContactTabulation', to='contacts.tabulation', verbose_name='tags'),
        ),
        migrations.CreateModel(
            name='ContactWhatsAppId',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wa_id', models.CharField(max_length=100, verbose_name='WhatsApp id')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='whatsapp_ids', to='contacts.contact', verbose_name='contact')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'WhatsApp id',
                'verbose_name_plural': 'WhatsApp ids',
                'constraints': [models.UniqueConstraint(fields=('organization', 'wa_id'), name='contact_wa_id_unique_per_org')],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
