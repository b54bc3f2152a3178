"""The SQLite sides of the database branches (``core.db.is_postgresql``).

These tests run in their own pytest invocation on SQLite, the embedded
setup's database: ``make test`` runs ``pytest tests/sqlite`` with a
``sqlite://`` DATABASE_URL after the PostgreSQL suite. On PostgreSQL they
are not collected (the rest of the suite covers the PostgreSQL sides).
Each test goes through the public services with real rows.
"""

import pytest
from django.conf import settings

from messaging.inbound.flags import flags_client as _redis
from messaging.inbound.tasks import inbox_drain
from messaging.turns.close import turn_due, turns_close_batch

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """The tasks a test would queue, recorded instead of sent to the broker:
    ``queued["drain"]`` (inbox drains woken), ``queued["turn_due"]`` (turn
    closes), ``queued["close_batch"]`` (the closes a drain queues, a batch
    each). Drains are run by the tests themselves."""
    for key in _redis().scan_iter("atende:inbox:drain-pending:*"):
        _redis().delete(key)
    calls = {"drain": [], "turn_due": [], "close_batch": []}
    monkeypatch.setattr(
        inbox_drain, "apply_async", lambda args=(), **options: calls["drain"].append(args)
    )
    monkeypatch.setattr(
        turn_due, "apply_async", lambda args=(), *rest, **options: calls["turn_due"].append(args)
    )
    monkeypatch.setattr(
        turns_close_batch,
        "apply_async",
        lambda args=(), *rest, **options: calls["close_batch"].append(args),
    )
    return calls


@pytest.fixture
def evolution(evolution_instance):
    """An Evolution instance: its webhooks are the fixtures' (providers/evolution)."""
    return evolution_instance
