"""The inbox and the turns depend one way: turns ask the inbox whether it
has caught up (``messaging.inbound.watermark``); the inbox reaches turns
only through ``messaging.pipeline``. A direct import the other way would
make the two packages a cycle again."""

import ast
from pathlib import Path

INBOUND = Path(__file__).resolve().parents[2] / "messaging" / "inbound"


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_inbound_module_imports_the_turns():
    offenders = {
        path.name: sorted(n for n in _imported(path) if n.startswith("messaging.turns"))
        for path in sorted(INBOUND.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}
