"""The openai package is loaded by the processes that call a model, not by
every process that loads the app (core/openai_sdk.py)."""

import os
import subprocess
import sys
from pathlib import Path

from core.openai_sdk import openai_sdk

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_app_does_not_import_openai():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup(); print('openai' in sys.modules)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert loaded.stdout.strip().splitlines()[-1] == "False"


def test_the_module_is_the_package():
    assert openai_sdk().OpenAI.__module__.startswith("openai")
