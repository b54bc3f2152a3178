"""The tests mirror the project: tests/<app>/[<package>/] names a real package.

A module's tests are found by its path (tests/README.md). A folder named
after a theme instead (the old tests/api, tests/pipeline) or after a
package that was renamed or removed fails here; so does a folder without
an __init__.py, whose test modules would clash by name with another's.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
# Not one module's tests: shared fixtures and fakes, whole-system runs, the
# suite's runs on SQLite.
NOT_MIRRORED = {"support", "system", "sqlite"}


def _folders() -> list[Path]:
    """Every folder under tests/ that holds a file, relative to it.

    Folders are found from their files, so one left holding only a
    __pycache__ (a moved folder, after a pull) does not count.
    """
    folders = set()
    for path in TESTS.rglob("*"):
        relative = path.relative_to(TESTS)
        if path.is_file() and not any(
            part == "__pycache__" or part.startswith(".") for part in relative.parts
        ):
            folders.update(relative.parents)
    folders.discard(Path("."))
    return sorted(folders)


def test_every_test_folder_names_a_package_of_the_project():
    orphans = [
        f"tests/{folder}"
        for folder in _folders()
        if folder.parts[0] not in NOT_MIRRORED and not (ROOT / folder / "__init__.py").is_file()
    ]
    assert not orphans, (
        f"{orphans} mirror no package of the project: put a module's tests in "
        "tests/<app>/[<package>/] after its path (tests/README.md)"
    )


def test_every_test_folder_is_a_package():
    missing = [
        f"tests/{folder}/__init__.py"
        for folder in _folders()
        if folder.parts[0] != "sqlite" and not (TESTS / folder / "__init__.py").is_file()
    ]
    assert not missing, f"{missing} missing"
