"""core.bulk.delete_in_batches: the housekeeping tasks' deletes, a batch per statement."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Tabulation
from core.bulk import delete_in_batches
from tests.support import factories


def test_it_deletes_every_matching_row_and_only_those_a_batch_at_a_time(
    organization, other_organization
):
    for n in range(5):
        factories.make_tabulation(organization, name=f"old {n}")
    kept = factories.make_tabulation(other_organization, name="kept")

    with CaptureQueriesContext(connection) as queries:
        deleted = delete_in_batches(Tabulation.objects.filter(organization=organization), batch=2)

    assert deleted == 5
    assert list(Tabulation.objects.all()) == [kept]
    table = f'DELETE FROM "{Tabulation._meta.db_table}"'
    assert sum(q["sql"].startswith(table) for q in queries.captured_queries) == 3
