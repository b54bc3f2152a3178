"""Imports among our own modules: no cycle, and none hidden in a function
without a reason.

A cycle between modules works only while neither side uses the other as
it loads, and breaks on an innocent reordering; an import moved into a
function is the usual way to hide one. So the module-level imports among
the project's modules form no cycle, and an import inside a function has a
comment saying why (on its line or the line above; consecutive imports
share the comment above the first) — and adding those imports to the graph
still makes no cycle, so none of them hides one.
"""

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "bench", "migrations", "var", "node_modules"}
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the project."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if SKIP & set(parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def _imports(tree: ast.AST, *, in_function: bool = False):
    """(import node, whether it runs inside a function), skipping the
    ``if TYPE_CHECKING:`` blocks that never run."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_function
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from (pair for child in node.orelse for pair in _imports_of(child, in_function))
        else:
            yield from _imports(node, in_function=in_function or isinstance(node, FUNCTIONS))


def _imports_of(node: ast.AST, in_function: bool):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, in_function
    else:
        yield from _imports(node, in_function=in_function or isinstance(node, FUNCTIONS))


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The project modules an import runs: the one named and its packages."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    targets = set()
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in MODULES and prefix != module:
                targets.add(prefix)
    return targets


def _graph(*, with_function_level: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node, in_function in _imports(tree):
            if with_function_level or not in_function:
                graph[module] |= _targets(module, node)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a → … → a) per strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [_one_cycle(graph, group) for group in groups]


def _one_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph[module] & group):
                if target == start:
                    return [*paths[module], start]
                if target not in paths:
                    paths[target] = [*paths[module], target]
                    following.append(target)
        frontier = following
    return sorted(group)


def _comment_lines(source: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0] for token in tokens if token.type == tokenize.COMMENT}


def _unexplained_lines(source: str) -> list[int]:
    """Lines of the function-level imports in ``source`` with no comment."""
    comments = _comment_lines(source)
    imports = sorted(_imports(ast.parse(source)), key=lambda pair: pair[0].lineno)
    unexplained = []
    explained_until = 0  # last line of the explained import just above
    for node, in_function in imports:
        if not in_function:
            continue
        line = node.lineno
        if line in comments or line - 1 in comments or line - 1 == explained_until:
            explained_until = node.end_lineno
        else:
            unexplained.append(line)
    return unexplained


def _unexplained_function_imports() -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}"
        for path in MODULES.values()
        for line in _unexplained_lines(path.read_text())
    ]


def test_the_scan_sees_the_project():
    assert {"core.backoff", "integrations.services", "messaging.inbound"} <= set(MODULES)
    graph = _graph(with_function_level=False)
    assert "core.backoff" in graph["messaging.media.transcription"]


def test_no_cycle_among_module_level_imports():
    cycles = [" → ".join(cycle) for cycle in _cycles(_graph(with_function_level=False))]
    assert cycles == []


def test_no_function_level_import_hides_a_cycle():
    cycles = [" → ".join(cycle) for cycle in _cycles(_graph(with_function_level=True))]
    assert cycles == []


def test_every_function_level_import_says_why():
    assert _unexplained_function_imports() == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_the_comment_check_takes_a_commented_block_and_nothing_else():
    source = (
        "import os\n"
        "def explained():\n"
        "    # Loaded late: heavy.\n"
        "    import json\n"
        "    import csv\n"
        "\n"
        "    import re\n"
        "def inline():\n"
        "    import ast  # heavy\n"
        "def silent():\n"
        "    x = 1\n"
        "    import io\n"
    )
    assert _unexplained_lines(source) == [7, 12]
