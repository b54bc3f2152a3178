"""core.bulk on SQLite: bulk_update and bulk_create stand in for UPDATE … FROM
(VALUES …) and COPY."""

import pytest

from contacts.models import Tabulation
from core.bulk import bulk_insert_copy, bulk_update_values
from core.db import is_postgresql
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_it_runs_on_sqlite():
    assert not is_postgresql()


def test_bulk_update_values_writes_each_rows_own_values(organization):
    tags = [factories.make_tabulation(organization, name=f"tag-{n}") for n in range(3)]
    untouched = factories.make_tabulation(organization, name="other", description="kept")
    for n, tag in enumerate(tags):
        tag.description = f"description {n}"
        tag.background_color = f"#00000{n}"

    assert bulk_update_values(tags, ["description", "background_color"]) == 3

    rows = Tabulation.objects.filter(pk__in=[t.pk for t in tags]).order_by("name")
    assert [(t.description, t.background_color) for t in rows] == [
        ("description 0", "#000000"),
        ("description 1", "#000001"),
        ("description 2", "#000002"),
    ]
    untouched.refresh_from_db()
    assert untouched.description == "kept"
    assert bulk_update_values([], ["description"]) == 0


def test_bulk_insert_copy_inserts_the_rows_as_saved_objects(organization):
    tags = [Tabulation(organization=organization, name=f"new-{n}") for n in range(3)]

    bulk_insert_copy(tags)

    assert sorted(Tabulation.objects.values_list("name", flat=True)) == ["new-0", "new-1", "new-2"]
    assert all(not tag._state.adding for tag in tags)
    assert all(tag.created_at is not None for tag in Tabulation.objects.all())
    bulk_insert_copy([])  # nothing to do
