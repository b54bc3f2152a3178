"""`make run` in the foreground: quiet, on loopback, its runtime files under
var/, refused on a busy port, and gone — every process it started — within
10 s of a SIGTERM to its process group."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.embedded import embedded_env, seed_var
from tests.support.processes import started_with_var_dir

ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


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


def _make_run(env: dict, log: Path) -> subprocess.Popen:
    # -o: the shared virtualenv is already installed; never reinstall it here.
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.worker
def test_make_run_is_quiet_refuses_a_busy_port_and_stops_within_10_seconds(
    tmp_path, migrated_sqlite
):
    port = _free_port()
    var = seed_var(tmp_path / "var", migrated_sqlite)
    env = embedded_env(
        dropped=("HOST",),
        ATENDE_VAR_DIR=str(var),
        PORT=str(port),
        WORKER_CONCURRENCY="1",
        WEB_CONCURRENCY="1",
    )
    log_path = tmp_path / "make-run.log"
    stack = _make_run(env, log_path)
    try:
        assert _healthy(port, stack), log_path.read_text()[-4000:]
        healthy = time.monotonic()

        # Loopback only, unless HOST says otherwise.
        assert _listening_addresses(port) == {"127.0.0.1"}
        # gunicorn's control socket with the other runtime files.
        assert (var / "gunicorn.ctl").exists()
        # What make run printed, kept.
        kept = json.loads((var / "demo-credentials.json").read_text())
        printed = log_path.read_text()
        assert kept["sandboxInstanceId"] in printed and kept["apiKey"] in printed
        assert kept["baseUrl"] == f"http://127.0.0.1:{port}"

        # A second make run on the same port says who holds it, prints no
        # "ready", and fails.
        second = subprocess.run(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert second.returncode != 0
        assert "is ready" not in second.stdout
        assert f"Port {port} on 127.0.0.1 is in use" in second.stderr
        assert "held by pid" in second.stderr and "gunicorn" in second.stderr
        # A few beats of the 5-second sweepers, which must not print a line each.
        time.sleep(max(0.0, healthy + 12 - time.monotonic()))
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stopped = time.monotonic()
        left = started_with_var_dir(var)
        while left and time.monotonic() - stopped < STOP_WITHIN + 20:
            time.sleep(0.2)
            left = started_with_var_dir(var)
        took = time.monotonic() - stopped
        if left:
            for line in left:
                os.kill(int(line.split()[0]), signal.SIGKILL)
        stack.wait(10)

    output = log_path.read_text()
    assert not left, (left, output[-3000:])
    assert took < STOP_WITHIN, (took, output[-3000:])
    run_output = output.split("run_procfile.py", 1)[1]
    # Quiet: the sweepers' runs are not printed; nothing failed on the way down.
    assert "turns_sweep_lost_windows[" not in run_output
    assert "Sending due task" not in run_output
    for word in ("ERROR", "CRITICAL", "Traceback", "killed", "exited with", "Error "):
        if word in run_output:
            at = run_output.index(word)
            around = run_output[max(0, at - 2000) : at + 6000]
            pytest.fail(f"{word!r} in make run's output:\n{around}")
    assert run_output.rstrip().endswith("stopped")
    # No runtime file outside var/ (the control socket was ~/.gunicorn/).
    assert not (ROOT / "control").exists()


@pytest.mark.worker
def test_a_killed_runner_takes_every_process_with_it(tmp_path, migrated_sqlite):
    """SIGKILL to the runner alone (no chance to stop anything): the kernel's
    parent-death signal stops each process it started."""
    port = _free_port()
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
        killed = time.monotonic()
        left = started_with_var_dir(var)
        while left and time.monotonic() - killed < STOP_WITHIN + 20:
            time.sleep(0.2)
            left = started_with_var_dir(var)
        took = time.monotonic() - killed
    finally:
        for line in started_with_var_dir(var):
            os.kill(int(line.split()[0]), signal.SIGKILL)
    assert not left and took < STOP_WITHIN, (took, left)
