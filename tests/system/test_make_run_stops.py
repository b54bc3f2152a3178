"""make run's runner (scripts/run_procfile.py) stops every process it started
within 10 s: on a SIGTERM to its process group, and when it is itself killed.
make run's whole stack stopped by Ctrl-C, quiet, on loopback and refused on a
busy port: tests/system/test_readme_walkthrough.py."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.embedded import embedded_env, seed_var
from tests.support.processes import started_with_var_dir, wait_until_gone
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN = 10


def _healthy(port: int, process: subprocess.Popen, within: float = 180) -> bool:
    """Whether /api/health answers 200 (a worker has run its heartbeat task)
    before ``within`` seconds pass or ``process`` ends."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=30).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def test_sigterm_to_the_group_stops_every_process_and_exits_0(tmp_path):
    """What a service manager sends: SIGTERM to the runner's whole group.
    (Ctrl-C to make run's real stack: tests/system/test_readme_walkthrough.py.)"""
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"first: {sys.executable} -c 'import time; time.sleep(600)'\n"
        f"second: {sys.executable} -c 'import time; print(\"up\", flush=True); time.sleep(600)'\n"
    )
    var = tmp_path / "var"
    env = embedded_env(ATENDE_VAR_DIR=str(var))
    log_path = tmp_path / "run.log"
    runner = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_procfile.py"), "-f", str(procfile)]
        + ["first", "second"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while "up" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        running = started_with_var_dir(var)
        # The runner, its watchdog and the two processes.
        assert sum("time.sleep(600)" in line for line in running) == 2, running
        assert len(running) == 4, running
        os.killpg(runner.pid, signal.SIGTERM)
        stopped = time.monotonic()
        returncode = runner.wait(STOP_WITHIN + 20)
        took = time.monotonic() - stopped
        left = started_with_var_dir(var)
    finally:
        for line in started_with_var_dir(var):
            os.kill(int(line.split()[0]), signal.SIGKILL)
    output = log_path.read_text()
    assert returncode == 0, output
    assert not left and took < STOP_WITHIN, (took, left, output)
    assert "SIGTERM received, stopping" in output
    assert output.rstrip().endswith("stopped"), output


@pytest.mark.worker
def test_a_killed_runner_takes_every_process_with_it(tmp_path, migrated_sqlite):
    """SIGKILL to the runner alone (no chance to stop anything): the kernel's
    parent-death signal stops each process it started."""
    port = free_port()
    var = seed_var(tmp_path / "var", migrated_sqlite)
    env = embedded_env(
        ATENDE_VAR_DIR=str(var),
        PORT=str(port),
        HOST="127.0.0.1",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        WORKER_CONCURRENCY="1",
        WEB_CONCURRENCY="1",
    )
    log_path = tmp_path / "run.log"
    runner = subprocess.Popen(
        [sys.executable, "scripts/run_procfile.py", "web", "worker", "beat"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def started() -> bool:
            text = log_path.read_text()
            return "Listening at" in text and " ready." in text and "beat: Starting" in text

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not started():
            time.sleep(1)
        assert started(), log_path.read_text()[-3000:]
        # Up, not starting: a worker's pool has run a task (the heartbeat the
        # health check reads) before the runner is killed.
        assert _healthy(port, runner), log_path.read_text()[-3000:]
        assert len(started_with_var_dir(var)) >= 4, started_with_var_dir(var)
        runner.kill()
        runner.wait(10)
        left, took = wait_until_gone(var, time.monotonic(), STOP_WITHIN + 20)
    finally:
        for line in started_with_var_dir(var):
            os.kill(int(line.split()[0]), signal.SIGKILL)
    assert not left and took < STOP_WITHIN, (took, left)
