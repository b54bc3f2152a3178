"""Every refusal's message is marked for translation where it is raised.

A domain error (``core.errors.DomainError`` and its subclasses, wherever they
are declared) built with a plain string or an f-string carries a sentence no
catalogue can translate: agents would read it in English. The message must be
``gettext(...)`` (imported as ``_``), evaluated when raised: a lazy string or
``gettext_noop`` would be read in whatever language is active later.
Variables (``exc.message``, a value looked up in a table) are not judged.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = {"tests", "bench", "scripts", ".venv", "var", "staticfiles", "test-artifacts"}
TRANSLATE_NOW = {"gettext", "ngettext", "pgettext", "npgettext"}
TRANSLATE_LATER = {
    "gettext_lazy",
    "ngettext_lazy",
    "pgettext_lazy",
    "npgettext_lazy",
    "gettext_noop",
}


def source_files() -> list[Path]:
    packages = [
        path
        for path in ROOT.iterdir()
        if path.is_dir() and path.name not in NOT_SOURCE and (path / "__init__.py").exists()
    ]
    return sorted(
        file
        for package in packages
        for file in package.rglob("*.py")
        if "migrations" not in file.parts
    )


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _base_names(node: ast.ClassDef) -> set[str]:
    return {
        base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases
    }


def domain_errors(trees: dict[str, ast.Module]) -> dict[str, set[str]]:
    """module -> the domain error classes it declares (``DomainError`` and descendants)."""
    declared: dict[str, set[str]] = {"core.errors": {"DomainError"}}
    known = {"DomainError"}
    changed = True
    while changed:
        changed = False
        for module, tree in trees.items():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in known
                    and _base_names(node) & known
                ):
                    declared.setdefault(module, set()).add(node.name)
                    known.add(node.name)
                    changed = True
    return declared


class _Names:
    """What a module's names are bound to: domain error classes, modules, gettext functions."""

    def __init__(self, module: str, tree: ast.Module, declared: dict[str, set[str]]):
        self.errors: dict[str, str] = {name: name for name in declared.get(module, ())}
        self.modules: dict[str, str] = {}
        self.translators: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    local = alias.asname or alias.name
                    if alias.name in declared.get(node.module, ()):
                        self.errors[local] = alias.name
                    elif f"{node.module}.{alias.name}" in declared:
                        self.modules[local] = f"{node.module}.{alias.name}"
                    elif node.module == "django.utils.translation":
                        self.translators[local] = alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in declared and alias.asname:
                        self.modules[alias.asname] = alias.name
        self.declared = declared

    def error_class(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            return self.errors.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = self.modules.get(func.value.id)
            if module and func.attr in self.declared[module]:
                return func.attr
        return None

    def translator(self, node: ast.expr) -> str | None:
        """The gettext function a call goes through (``_("…")``, ``_("… %(x)s") % {…}``)."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            node = node.left
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.translators.get(node.func.id)
        return None


def _is_literal(node: ast.expr) -> bool:
    """A sentence written in place: a string, an f-string, or one formatted by hand."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) or _is_literal(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal(node.body) or _is_literal(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _is_literal(node.func.value)
    return False


def _message_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "message":
            return keyword.value
    return call.args[0] if call.args else None


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and getattr(func.value.func, "id", "") == "super"
    )


def _message_calls(tree: ast.Module, names: _Names, declared_here: set[str]):
    """Calls whose first argument is a refusal's message.

    A class with its own ``__init__`` (InvalidTransition: current, target,
    allowed) builds the message itself: its ``super().__init__(…)`` is judged
    instead of the calls that construct it.
    """
    own_init = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and node.name in declared_here
        and any(isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body)
    } | {"InvalidTransition"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in own_init:
            yield from (
                call
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and _is_super_init(call)
            )
        elif isinstance(node, ast.Call):
            error = names.error_class(node.func)
            if error is not None and error not in own_init:
                yield node


def unmarked_refusals(source: str, module: str, declared: dict[str, set[str]]) -> list[str]:
    """``line: code`` of each domain error built with an unmarked (or lazy) message."""
    tree = ast.parse(source)
    names = _Names(module, tree, declared)
    found = []
    for call in _message_calls(tree, names, declared.get(module, set())):
        message = _message_argument(call)
        if message is None:
            continue
        how = names.translator(message)
        if how in TRANSLATE_LATER:
            found.append(f"{call.lineno}: {ast.unparse(call)[:120]} (translated late: {how})")
        elif how is None and _is_literal(message):
            found.append(f"{call.lineno}: {ast.unparse(call)[:120]}")
    return found


def _parse_all() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text()) for path in source_files()}


def test_every_refusal_message_is_marked_for_translation_when_raised():
    trees = _parse_all()
    declared = domain_errors(trees)
    problems = []
    for path in source_files():
        module = module_name(path)
        for problem in unmarked_refusals(path.read_text(), module, declared):
            problems.append(f"{path.relative_to(ROOT)}:{problem}")
    assert problems == [], (
        "Mark these messages with gettext (`from django.utils.translation import gettext "
        'as _`; `_("… %(name)s.") % {…}`), then run `make messages`:\n' + "\n".join(problems)
    )


def test_the_scan_knows_the_domain_errors_declared_outside_core():
    declared = domain_errors(_parse_all())
    assert {"ValidationError", "NotFound", "Conflict", "InvalidTransition"} <= declared[
        "core.errors"
    ]
    assert "GatewayUnavailable" in declared["providers.services"]
    assert {"DocumentTooLarge", "UnsupportedDocumentType"} <= declared["assistant.services"]


def test_the_scan_catches_plain_f_string_and_lazy_messages():
    declared = domain_errors(_parse_all())
    source = """
from django.core.exceptions import ValidationError as FormError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from assistant import services
from core.errors import Conflict, ValidationError
from providers.services import GatewayUnavailable


def refuse(name, exc):
    raise ValidationError("A name is required.")
    raise Conflict(f"{name} is taken.", code="taken")
    raise Conflict(message="Already open.")
    raise GatewayUnavailable("The gateway is down: %s" % exc)
    raise services.DocumentTooLarge(
        "Too large."
    )
    raise Conflict(gettext_lazy("Later."))
    raise Conflict(_("Marked."))
    raise Conflict(_("Marked %(name)s.") % {"name": name})
    raise Conflict(exc.message)
    raise FormError("Django's own, for a form.")
"""
    found = unmarked_refusals(source, "example", declared)
    assert [line.split(":")[0] for line in found] == ["11", "12", "13", "14", "15", "18"]
    assert "translated late: gettext_lazy" in found[-1]
