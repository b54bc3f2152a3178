"""Task names are a contract with the broker and celery-beat's tables: a
queued or scheduled task is looked up by name, so a module that moves must
not rename its tasks. Every task says its name; every schedule uses one."""

import ast
from pathlib import Path

from config.celery import app
from config.schedules import PERIODIC_TASKS

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "bench", "migrations", "var", "node_modules"}


def _decorated_tasks() -> dict[str, str | None]:
    """``module:function`` -> the ``name=`` given to ``@shared_task`` (or None)."""
    found: dict[str, str | None] = {}
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                target = call.func if call else decorator
                if getattr(target, "id", getattr(target, "attr", None)) != "shared_task":
                    continue
                name = None
                for keyword in call.keywords if call else []:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        name = keyword.value.value
                found[f"{path.relative_to(ROOT)}:{node.name}"] = name
    return found


def _registered() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_every_task_gives_its_name_explicitly():
    tasks = _decorated_tasks()
    assert tasks, "no @shared_task found: the scan is broken"
    unnamed = sorted(where for where, name in tasks.items() if not name)
    assert unnamed == []


def test_every_registered_task_is_one_with_an_explicit_name():
    explicit = {name for name in _decorated_tasks().values() if name}
    assert _registered() == explicit


def test_every_schedule_points_at_a_registered_task():
    registered = _registered()
    missing = {key: task for key, (task, _) in PERIODIC_TASKS.items() if task not in registered}
    assert missing == {}


def test_the_inbox_drains_have_a_queue_every_worker_consumes():
    route = app.amqp.router.route
    assert route({}, "messaging.inbox.inbox_drain")["queue"].name == "inbox"
    assert route({}, "messaging.inbox.inbox_requeue_lost")["queue"].name == "inbox"
    assert route({}, "messaging.turns.turn_due")["queue"].name == "celery"
    # A worker started without -Q (Procfile, tests, benches) takes every listed queue.
    assert set(app.amqp.queues) == {"celery", "inbox"}
    inbox_tasks = (
        "messaging.inbox.inbox_drain",
        "messaging.inbox.inbox_requeue_lost",
    )
    for name in inbox_tasks:
        assert name in app.tasks
