"""One room per job: no module of the project grows past 400 lines.

A module that long is doing several jobs; split it along them (as
``messaging/inbound/``, ``sessions_app/services/`` and ``transcription/``
are) rather than let it grow.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "bench", "migrations", "var", "node_modules"}
MAX_LINES = 400


def _sizes() -> dict[str, int]:
    sizes = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP & set(relative.parts):
            continue
        sizes[relative.as_posix()] = len(path.read_text().splitlines())
    return sizes


def test_the_scan_sees_the_project():
    sizes = _sizes()
    assert "integrations/services.py" in sizes
    assert not any(name.startswith(("tests/", "bench/")) for name in sizes)


def test_no_module_is_over_the_limit():
    too_long = {name: lines for name, lines in _sizes().items() if lines > MAX_LINES}
    assert too_long == {}
