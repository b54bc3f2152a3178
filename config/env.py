"""Where settings are read from: the environment, then ``.env`` at the project root.

Every settings module imports ``env`` from here, so ``.env`` is read once,
before the first variable is.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
