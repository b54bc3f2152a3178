"""The console's Python code marks every sentence an agent reads.

Looks at what reaches a person: Django messages, admin column and action
descriptions, filter titles and the errors the console's views raise. A
plain string (or an f-string with words in it) there is a string no
catalogue can translate.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_MODULES = [
    "accounts/admin.py",
    "assistant/admin.py",
    "console/actions.py",
    "console/admin.py",
    "console/presenters.py",
    "console/sessions.py",
    "console/templatetags/atende_console.py",
    "console/views.py",
    "contacts/admin.py",
    "integrations/admin.py",
    "integrations/admin_views.py",
    "messaging/admin.py",
    "providers/admin.py",
    "providers/admin_views.py",
]
# Calls whose first text argument a person reads.
MESSAGE_CALLS = {"success", "error", "warning", "info", "message_user", "ValidationError"}


def _has_words(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2,}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(part) for part in node.values if isinstance(part, ast.Constant))
    return False


def _unmarked(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in MESSAGE_CALLS:
                texts = node.args[1:2] if name == "message_user" else node.args[:1]
                found += [ast.unparse(t) for t in texts if _has_words(t)]
            if name in {"display", "action"}:
                found += [
                    ast.unparse(k.value)
                    for k in node.keywords
                    if k.arg == "description" and _has_words(k.value)
                ]
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and [getattr(t, "id", "") for t in statement.targets] == ["title"]
                    and _has_words(statement.value)
                ):
                    found.append(f"{node.name}.title = {ast.unparse(statement.value)}")
        if isinstance(node, ast.Dict):
            # Labels shown on cards and badges: {"label": "..."}.
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "label" and _has_words(value):
                    found.append(ast.unparse(value))
    return found


@pytest.mark.parametrize("module", CONSOLE_MODULES)
def test_console_code_shows_no_unmarked_sentence(module):
    tree = ast.parse((ROOT / module).read_text())
    assert _unmarked(tree) == []
