"""What the docs state about the code, compared with the code.

A doc that says a sweeper runs every 30 s while config/schedules.py runs it
every 5 s misleads whoever reads it during an outage. So every fact of that
kind the docs (docs/*.md, README.md, tests/README.md) state in a form a
program can read is checked here: beat intervals, settings' defaults (in
tables and in parentheses after the setting's name), the modules, objects,
models and task names they name, the files they point to (and their length
when they give one), the Celery queues and how often the console's pages poll.
docs/DEPLOY.md's table of environment variables has its own test
(test_deploy_doc.py).
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

from django.apps import apps
from django.core.checks import registry

from config.celery import app
from config.schedules import PERIODIC_TASKS
from console.views import POLL_INTERVAL_SECONDS
from providers.admin import CONNECTION_POLL_SECONDS

ROOT = Path(__file__).resolve().parents[2]
READMES = [ROOT / "README.md", ROOT / "tests" / "README.md"]
DOCS = {
    path.relative_to(ROOT).as_posix(): path.read_text()
    for path in [*sorted((ROOT / "docs").glob("*.md")), *READMES]
}
PACKAGES = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
NOT_SOURCE = {".venv", "var", "staticfiles", "test-artifacts", "__pycache__", ".git"}
# Folders that exist only once something runs (named in the docs as where to look).
RUNTIME_FOLDERS = {"var/", "test-artifacts/"}
# Files of outside repositories the docs cite as sources.
CITED = {"text.edited.json"}
# What a contact's export ZIP holds (docs/PRIVACY.md lists its files): the
# names privacy/services/export_archive.py writes into the archive.
ARCHIVE_MEMBERS = set(
    re.findall(
        r"(?:writestr|_write_array)\(\s*(?:zf,\s*)?\"([\w.]+)\"",
        (ROOT / "privacy" / "services" / "export_archive.py").read_text(),
    )
)


def _paragraphs(text: str) -> list[str]:
    """Table rows one by one, other lines joined up to the next blank line or
    list item, so a fact wrapped over two lines is read whole."""
    found, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        starts_item = stripped.startswith(("- ", "* ", "|")) or re.match(r"\d+\. ", stripped)
        if not stripped or starts_item:
            if current:
                found.append(" ".join(current))
            current = []
        if stripped.startswith("|"):
            found.append(stripped)
        elif stripped:
            current.append(stripped)
    if current:
        found.append(" ".join(current))
    return found


# --- beat intervals ---------------------------------------------------------

INTERVAL = re.compile(
    r"[^`\d]{0,30}?(?:every\s+(?:(?P<every>\d+)\s*s\b|(?P<minute>minute)\b)|\((?P<bare>\d+)\s*s\b)"
)


def _schedule_names() -> dict[str, str]:
    """Every name a doc may call a periodic task by -> its schedule's key."""
    names = {}
    for key, (task, _) in PERIODIC_TASKS.items():
        names[key] = key
        names[task] = key
        names[task.rsplit(".", 1)[1]] = key
    return names


def test_every_interval_stated_for_a_periodic_task_is_its_schedule():
    names = _schedule_names()
    mention = re.compile(r"`(" + "|".join(map(re.escape, sorted(names, key=len)[::-1])) + r")`")
    stated, wrong = 0, []
    for doc, text in DOCS.items():
        for paragraph in _paragraphs(text):
            for found in mention.finditer(paragraph):
                interval = INTERVAL.match(paragraph, found.end())
                if not interval:
                    continue
                seconds = 60 if interval["minute"] else int(interval["every"] or interval["bare"])
                stated += 1
                key = names[found[1]]
                if seconds != PERIODIC_TASKS[key][1]:
                    wrong.append((doc, found[1], seconds, PERIODIC_TASKS[key][1]))
    assert wrong == []
    assert stated >= 10, "the scan finds no intervals: it is broken"


# --- settings' defaults -----------------------------------------------------


def _constant(node: ast.expr | None) -> object:
    if node is None:
        return None
    try:
        return eval(compile(ast.Expression(node), "<default>", "eval"), {})  # noqa: S307 - constant expressions of our own settings files
    except (NameError, TypeError):
        return None


def _is_env_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "env"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
    )


def _declared() -> dict[str, object]:
    """``env.<type>("NAME", default=…)`` of config/: name -> the default a
    reader gets (``[… env.list("NAME", default=[])] or [30, …]``: the list
    after ``or``)."""
    found, fallbacks = {}, {}
    for path in sorted((ROOT / "config").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                for call in filter(_is_env_call, ast.walk(node.values[0])):
                    fallbacks[call.args[0].value] = _constant(node.values[-1])
            if _is_env_call(node):
                default = next((k.value for k in node.keywords if k.arg == "default"), None)
                found[node.args[0].value] = _constant(default)
    for name, fallback in fallbacks.items():
        if found.get(name) in (None, [], "") and fallback is not None:
            found[name] = fallback
    return found


DECLARED = _declared()


UNITS = {"s": 1, "KB": 1024, "MB": 1024 * 1024}
STATED = re.compile(
    r"(?:default\s+)?(?:`(?P<literal>[^`]*)`|(?P<word>empty|true|false)\b|"
    r"(?P<numbers>\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)*)(?:\s*(?P<unit>s|KB|MB)\b)?)"
)


def _matches(stated: str, value: object) -> bool | None:
    """Whether the words of a doc give ``value``; None when they state no value."""
    found = STATED.match(stated.strip())
    if not found:
        return None
    if found["literal"] is not None:
        if isinstance(value, list | tuple):
            return found["literal"] == ",".join(f"{float(v):g}" for v in value)
        if isinstance(value, bool):
            return found["literal"] == str(value).lower()
        if isinstance(value, int | float):
            return found["literal"] == f"{value:g}"
        return found["literal"] == value
    if found["word"] == "empty":
        return value in ("", None, [])
    if found["word"]:
        return value is (found["word"] == "true")
    numbers = [float(n) * UNITS[found["unit"] or "s"] for n in found["numbers"].split(",")]
    if isinstance(value, list | tuple):
        return numbers == [float(v) for v in value]
    return len(numbers) == 1 and isinstance(value, int | float) and numbers[0] == value


def _table_facts():
    """(doc, setting, stated default) of each settings table row."""
    row = re.compile(r"^\| ((?:`[A-Z][A-Z0-9_]+`[^|`]*)+) \| ([^|]+) \|", re.MULTILINE)
    for doc, text in DOCS.items():
        if doc == "docs/DEPLOY.md":
            continue  # its table has test_deploy_doc.py
        for names_cell, value_cell in row.findall(text):
            names = re.findall(r"`([A-Z][A-Z0-9_]+)`", names_cell)
            if not set(names) <= set(DECLARED):
                continue
            separator = " / " if " / " in value_cell else ", "
            values = value_cell.split(separator, len(names) - 1) if len(names) > 1 else [value_cell]
            assert len(values) == len(names), (doc, names_cell, value_cell)
            yield from ((doc, name, value) for name, value in zip(names, values, strict=True))


def _prose_facts():
    """(doc, setting, stated default) of each "`SETTING` (value…)"."""
    for doc, text in DOCS.items():
        for name, stated in re.findall(r"`([A-Z][A-Z0-9_]+)` \(([^)]*)\)", text):
            if name in DECLARED:
                yield doc, name, stated


def test_every_default_the_docs_give_a_setting_is_its_default():
    checked, wrong = 0, []
    for doc, name, stated in [*_table_facts(), *_prose_facts()]:
        verdict = _matches(stated, DECLARED[name])
        if verdict is None:
            continue  # described, not stated ("a Portuguese prompt")
        checked += 1
        if not verdict:
            wrong.append((doc, name, stated, DECLARED[name]))
    assert wrong == []
    assert checked >= 40, "the scan finds no defaults: it is broken"


# --- names: modules, objects, models, tasks, queues -------------------------


def _registered_tasks() -> set[str]:
    app.loader.import_default_modules()
    return set(app.tasks)


def _check_ids() -> set[str]:
    """The ids (``core.E001``) the registered system checks can report."""
    found = set()
    for check in registry.registry.get_checks(include_deployment_checks=True):
        try:
            source = inspect.getsource(check)
        except (OSError, TypeError):
            continue
        found.update(re.findall(r"\bid=\"([\w.]+\.[CEIW]\d{3})\"", source))
    return found


CHECK_ID = re.compile(r"[a-z_]+\.[CEIW]\d{3}")


def _resolves(dotted: str, tasks: set[str]) -> bool:
    """A task's name, a model (``app_label.Model``), a module or an object in one."""
    if dotted in tasks:
        return True
    parts = dotted.split(".")
    if len(parts) == 2:
        try:
            apps.get_model(dotted)
            return True
        except (LookupError, ValueError):
            pass
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_every_module_object_model_and_task_the_docs_name_exists():
    tasks, check_ids = _registered_tasks(), _check_ids()
    checked, missing = 0, []
    for doc, text in DOCS.items():
        for dotted in re.findall(r"`([a-z_]+(?:\.[A-Za-z_]\w*)+)`", text):
            if dotted.split(".")[0] not in PACKAGES:
                continue
            checked += 1
            # A system check's id ("core.E001") names what `check` reports.
            if CHECK_ID.fullmatch(dotted):
                if dotted not in check_ids:
                    missing.append((doc, dotted))
                continue
            if not _resolves(dotted, tasks):
                missing.append((doc, dotted))
    assert missing == []
    assert checked >= 50, "the scan finds no names: it is broken"


def test_the_queues_the_docs_name_are_the_queues_the_workers_take():
    queues = {queue.name for queue in app.conf.task_queues}
    stated = 0
    for doc, text in DOCS.items():
        for paragraph in _paragraphs(text):
            found = re.search(r"\b(Two|Three|Four) queues\b[^.]*", paragraph)
            if found:
                stated += 1
                count = ["Two", "Three", "Four"].index(found[1]) + 2
                named = set(re.findall(r"`(\w+)` \(", found[0]))
                assert (count, named) == (len(queues), queues), (doc, found[0])
    assert stated >= 2


# --- files ------------------------------------------------------------------


def _project_files() -> list[str]:
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if NOT_SOURCE & set(relative.parts):
            continue
        found.append(relative.as_posix() + ("/" if path.is_dir() else ""))
    return found


FILE_NAME = re.compile(r"`((?:[\w.-]+/)*[\w.-]+(?:\.(?:py|md|json|html|js|css|txt|sh|toml|po)|/))`")


def test_every_file_and_folder_the_docs_name_exists_and_has_its_stated_length():
    files = _project_files()
    checked, missing, wrong_length = 0, [], []
    for doc, text in DOCS.items():
        for name in FILE_NAME.findall(text):
            if name in CITED or name.startswith((".", *RUNTIME_FOLDERS)):
                continue
            checked += 1
            if doc == "docs/PRIVACY.md" and name in ARCHIVE_MEMBERS:
                continue
            # A path from the root, or the tail of one ("turns/text.py" in
            # a paragraph about messaging/).
            matching = [f for f in files if f == name or f.endswith("/" + name)]
            if not matching:
                missing.append((doc, name))
        for name, lines in re.findall(r"`?([\w/.-]+\.py)`? \((\d+) lines\)", text):
            matching = [f for f in files if f == name or f.endswith("/" + name)]
            length = len((ROOT / matching[0]).read_text().splitlines()) if matching else None
            if length != int(lines):
                wrong_length.append((doc, name, int(lines), length))
    assert missing == []
    assert wrong_length == []
    assert len(ARCHIVE_MEMBERS) >= 4, "the archive's files are not found: the scan is broken"
    assert checked >= 100, "the scan finds no files: it is broken"


# --- the console -------------------------------------------------------------


def test_the_console_pages_poll_as_often_as_the_docs_say():
    admin = " ".join(_paragraphs(DOCS["docs/ADMIN.md"]))
    conversation = re.findall(r"conversation/poll/[^.]*?every (\d+) seconds", admin)
    connection = re.findall(r"/connection/` every (\d+) s\b", admin)
    assert [int(s) for s in conversation] == [POLL_INTERVAL_SECONDS]
    assert [int(s) for s in connection] == [CONNECTION_POLL_SECONDS]
