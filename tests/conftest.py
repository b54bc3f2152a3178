import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from rest_framework.test import APIClient

from messaging.inbound.door import door_reset
from tests.support import factories
from tests.support.cloned_database import use_cloned_databases
from tests.support.flush import use_delete_flush
from tests.support.hashing import HASHERS
from tests.support.worker import WorkerProcess, purge_broker

# Fixtures more than one test folder uses (tests/README.md).
pytest_plugins = [
    "tests.support.fixtures.api",
    "tests.support.fixtures.cloudapi",
    "tests.support.fixtures.console",
    "tests.support.fixtures.receiver",
    "tests.support.fixtures.transcription",
    "tests.support.fixtures.webhooks",
]

# The live servers (pytest-django's live_server: Django's WSGIRequestHandler)
# write an answer's headers and body separately; with Nagle's algorithm on,
# the body waits for the client's delayed ACK: 40 ms on every request.
WSGIRequestHandler.disable_nagle_algorithm = True
# A committing test's rows are deleted after it instead of every table
# truncated (tests/support/flush.py).
use_delete_flush()
# Under -n, each process's test database is a copy of one migrated once a
# run (tests/support/cloned_database.py).
use_cloned_databases()


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = [*HASHERS, *settings.PASSWORD_HASHERS]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Every test client loads the middleware anew, and WhiteNoise's reads the
    # whole of STATIC_ROOT when it is made (66 ms on an idle machine, a
    # minute over the suite); in autorefresh it looks a static URL up when
    # one is asked for. The tests of static serving make theirs without it.
    settings.WHITENOISE_AUTOREFRESH = True
    door_reset()


@pytest.fixture
def organization(db):
    return factories.make_organization("Acme")


@pytest.fixture
def other_organization(db):
    return factories.make_organization("Other Co")


def _client_for(organization) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.make_api_key(organization)}")
    client.organization = organization
    return client


@pytest.fixture
def api_client(organization) -> APIClient:
    """An API client authenticated with a key of ``organization``."""
    return _client_for(organization)


@pytest.fixture
def other_api_client(other_organization) -> APIClient:
    """A client of another organization, for tenancy tests."""
    return _client_for(other_organization)


@pytest.fixture
def instance(organization):
    return factories.make_instance(organization, name="Main")


@pytest.fixture
def contact(organization):
    return factories.make_contact(organization, phone="5511987654321", name="Maria")


@pytest.fixture
def chat_session(contact, instance):
    return factories.make_session(contact=contact, instance=instance)


@pytest.fixture(scope="session")
def _worker_process(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        purge_broker()
        worker = WorkerProcess(concurrency=2, consuming=False).start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(transactional_db, _worker_process):
    """A real Celery worker process consuming from the test broker (Redis).

    The process is shared by the tests of a run, but takes tasks only during
    a test that asks for it: in any other test a task queued stays in the
    broker (tests that read the queue) or is left to the worker the test
    starts itself (with its own settings, e.g. MEDIA_ROOT)."""
    purge_broker()
    if _worker_process.process.poll() is not None:
        _worker_process.start()  # a test killed it and did not start it again
    _worker_process.consume(True)
    yield _worker_process
    _worker_process.consume(False)
