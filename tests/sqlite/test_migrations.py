"""The PostgreSQL-only migrations on SQLite: no trigram or GIN index, and the
searches they serve still work on the plain columns."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from tests.support import factories

MIGRATIONS = [
    ("contacts.migrations.0001_initial", "create_indexes", "drop_indexes"),
    ("assistant.migrations.0002_knowledge_search_index", "create_index", "drop_index"),
]

pytestmark = pytest.mark.django_db


def test_the_postgresql_only_indexes_are_not_created():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row[0] for row in cursor.fetchall()}
    assert "contact_name_trgm" not in names
    assert "assistant_chunk_search_gin" not in names
    assert "contact_phone_unique_per_org" in names  # the migrations did run


@pytest.mark.parametrize(("module", "forward", "backward"), MIGRATIONS)
def test_both_directions_do_nothing_here(module, forward, backward):
    # Only the connection: a schema editor's statement would fail the test.
    editor = SimpleNamespace(connection=connection)
    migration = importlib.import_module(module)
    assert getattr(migration, backward)(None, editor) is None
    assert getattr(migration, forward)(None, editor) is None


def test_the_contact_search_finds_by_name_and_phone_digits(api_client, organization):
    factories.make_contact(organization, phone="5511987654321", name="Maria Souza")
    factories.make_contact(organization, phone="5521912345678", name="João")

    def names(search):
        response = api_client.get("/api/v1/contacts", {"search": search})
        return [c["name"] for c in response.json()["data"]]

    assert names("souza") == ["Maria Souza"]
    assert names("98765") == ["Maria Souza"]
    assert names("nobody") == []
