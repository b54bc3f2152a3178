"""Under -n each test process's database is a copy of one migrated a run
(tests/support/cloned_database.py)."""

import os

import pytest
from django.db import connection

from tests.support.cloned_database import RUN_ID, template_name


def test_the_template_is_named_after_the_test_database_without_the_process():
    assert template_name("test_atende_gw3") == "test_atende_template"
    assert template_name("test_atende") == "test_atende_template"


def test_this_process_database_is_a_copy_of_this_runs_template(db):
    run = os.environ.get(RUN_ID)
    if not run or connection.vendor != "postgresql":
        pytest.skip("a single process on its own database, as pytest-django makes it")
    name = connection.settings_dict["NAME"]
    assert name.endswith(f"_{os.environ['PYTEST_XDIST_WORKER']}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template_name(name)],
        )
        assert cursor.fetchone() == (run,)
        # Migrated: the copy holds every table, the periodic schedules included.
        cursor.execute("SELECT count(*) FROM django_celery_beat_periodictask")
        assert cursor.fetchone()[0] > 0
