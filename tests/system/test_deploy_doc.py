"""docs/DEPLOY.md stays true: every variable with its default, and a clean check --deploy."""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from core.encryption import new_key

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = (ROOT / "docs" / "DEPLOY.md").read_text()


def _declared(path: Path) -> dict[str, ast.expr | None]:
    """``env.<type>("NAME", default=…)`` calls of a settings file: name → default."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        if is_env and node.args and isinstance(node.args[0], ast.Constant):
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
            found[node.args[0].value] = default
    return found


def _procfile_defaults() -> dict[str, str]:
    text = (ROOT / "Procfile").read_text()
    return dict(re.findall(r"\$\{(\w+):-([^}]*)\}", text))


def _documented() -> dict[str, str]:
    section = DEPLOY.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(\w+)` \| (.+?) \|", section, flags=re.MULTILINE))


def _expected_cell(default: ast.expr | None) -> str | None:
    """How the table writes a constant default; None when it is not a constant."""
    if default is None:
        return None
    try:
        value = eval(compile(ast.Expression(default), "<default>", "eval"), {"__builtins__": {}})  # noqa: S307 - constant expressions from our own settings file
    except NameError:
        return None
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        if len(value) > 60:
            return None  # the prompts: described, not copied
        return f"`{value}`" if value else "`(empty)`"
    if isinstance(value, int | float):
        return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"
    return None


def test_every_environment_variable_is_documented_with_its_default():
    # config/settings.py and the groups of settings beside it that it imports.
    settings_files = sorted((ROOT / "config").glob("settings*.py"))
    assert ROOT / "config" / "settings_pipeline.py" in settings_files
    declared = {
        name: default
        for path in [*settings_files, ROOT / "config" / "gunicorn.py"]
        for name, default in _declared(path).items()
    }
    documented = _documented()

    assert set(declared) | set(_procfile_defaults()) == set(documented)
    for name, default in declared.items():
        expected = _expected_cell(default)
        if expected is not None:
            assert documented[name] == expected, name
    for name, default in _procfile_defaults().items():
        assert documented[name] == f"`{default}`", name


def _production_env() -> dict[str, str]:
    block = re.search(r"```env\n(.*?)```", DEPLOY, flags=re.DOTALL).group(1)
    env = {}
    for line in block.strip().splitlines():
        key, _, value = line.partition("=")
        if value.startswith("<"):
            # The operator's own secret; an encryption key has Fernet's form.
            value = new_key() if key == "FIELD_ENCRYPTION_KEYS" else secrets.token_urlsafe(48)
        env[key] = value
    return env


@pytest.mark.worker  # a manage.py process
def test_check_deploy_passes_with_the_documented_production_settings(tmp_path):
    documented = _production_env()
    assert documented["DEBUG"] == "false"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env.update(documented)
    # Reachable servers instead of the example hosts; a private state folder.
    env.update(
        {
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            "ATENDE_VAR_DIR": str(tmp_path / "var"),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        }
    )

    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
