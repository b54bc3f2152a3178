import pytest

from tests.support.embedded import migrate_embedded


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """The embedded SQLite database with every migration applied, once a run."""
    return migrate_embedded(tmp_path_factory.mktemp("migrated-var"))
