"""Which processes a run started, found by the var/ folder in their environment."""

import os
import time
from pathlib import Path


def started_with_var_dir(var: Path) -> list[str]:
    """'pid command line' of every live process whose environment names this
    ATENDE_VAR_DIR: make, the runner, gunicorn and its workers, the Celery
    worker and its pool, beat — whatever process group or session each is in."""
    marker = f"ATENDE_VAR_DIR={var}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0") and state != "Z":
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{pid} {command}")
    return found


def wait_until_gone(var: Path, since: float, within: float) -> tuple[list[str], float]:
    """Poll until no process started with ``var`` is left or ``within``
    seconds have passed since ``since`` (a ``time.monotonic()``): what is
    left, and how long after ``since`` that was known."""
    left = started_with_var_dir(var)
    while left and time.monotonic() - since < within:
        time.sleep(0.2)
        left = started_with_var_dir(var)
    return left, time.monotonic() - since
