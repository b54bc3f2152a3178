"""The pt_BR catalogue is complete, compiled, and covers every marked string.

A string marked for translation (``gettext``, ``{% translate %}``) but not
in the catalogue fails here: run ``make messages`` and translate the new
entries in locale/pt_BR/LC_MESSAGES/django.po.
"""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# Not source: local state, caches and tools.
_NOT_COPIED_ANYWHERE = shutil.ignore_patterns(
    ".git", ".venv", "var", "staticfiles", "test-artifacts", "__pycache__", ".*cache"
)


def NOT_COPIED(folder, names) -> set[str]:  # noqa: N802 (shutil's ignore callable)
    ignored = set(_NOT_COPIED_ANYWHERE(folder, names))
    if Path(folder) == ROOT and "media" in names:
        ignored.add("media")  # a local run's uploads; messaging/media/ is source
    return ignored


pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)


def msgids(po: Path) -> set[str]:
    """Every msgid of a .po file (plural forms by their singular), header excluded."""
    found, current = set(), None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            current = [line[6:]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        elif current is not None:
            text = "".join(eval(part) for part in current)  # noqa: S307 (PO string literals)
            if text:
                found.add(text)
            current = None
    return found


def test_every_entry_is_translated_and_none_is_fuzzy(tmp_path):
    out = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "x.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert re.fullmatch(r"\d+ translated messages?\.\n", out.stderr), out.stderr


def test_the_committed_mo_is_the_compiled_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        ), "run `make messages` and commit locale/"


def test_makemessages_finds_no_string_missing_from_the_catalogue(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED, symlinks=False)
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "messages",
            f"PY={sys.executable}",
        ],
        cwd=copy,
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "ATENDE_VAR_DIR": str(tmp_path / "var"),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    regenerated = copy / PO.relative_to(ROOT)
    new = msgids(regenerated) - msgids(PO)
    assert not new, f"marked but not in the catalogue (run `make messages`): {sorted(new)}"
    gone = msgids(PO) - msgids(regenerated)
    assert not gone, f"in the catalogue but no longer used (run `make messages`): {sorted(gone)}"
