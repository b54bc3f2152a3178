"""The README's "Two commands" and "Try it", in order, as a new user runs them.

`make run` on the embedded default (SQLite + file-system broker, its own
var/ folder and a free port), then the README's commands with the id and key
it printed, then Ctrl-C. On the way, what a newcomer's terminal shows: make
run quiet, on loopback, its runtime files under var/, a second make run on
the same port refused, and every process gone within 10 s of the Ctrl-C.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.embedded import embedded_env
from tests.support.processes import wait_until_gone
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PHONE = "5511987654321"
STOP_WITHIN = 10


def _untracked_files() -> set[str]:
    out = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line[3:] for line in out.splitlines() if line.startswith("??")}


def _wait_for(read, predicate, timeout=60, every=0.5):
    deadline = time.monotonic() + timeout
    value = read()
    while not predicate(value) and time.monotonic() < deadline:
        time.sleep(every)
        value = read()
    return value


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def _make_run(env: dict, **output) -> subprocess.Popen:
    # -o: the shared virtualenv is already installed; never reinstall it here.
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run"],
        cwd=ROOT,
        env=env,
        **output,
    )


def _printed(log: Path, label: str) -> str:
    match = re.search(rf"{label}\s+(\S+)", log.read_text())
    assert match, log.read_text()[-4000:]
    return match.group(1)


@pytest.mark.worker
def test_the_readme_try_it_section_works_as_written_on_the_embedded_default(tmp_path):
    port = free_port()
    var = tmp_path / "var"
    env = embedded_env(
        dropped=("HOST",),
        ATENDE_VAR_DIR=str(var),
        PORT=str(port),
        WORKER_CONCURRENCY="1",
        WEB_CONCURRENCY="1",
    )
    untracked_before = _untracked_files()
    log_path = tmp_path / "make-run.log"
    log = log_path.open("w")
    stack = _make_run(env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"

        def health():
            try:
                return requests.get(f"{base}/api/health", timeout=5).status_code
            # A web process loads the app on its first request: on a busy
            # machine that answer may outlast the timeout. Not up yet either.
            except (requests.ConnectionError, requests.Timeout):
                return None

        assert _wait_for(health, lambda s: s == 200, timeout=180, every=1) == 200, (
            log_path.read_text()[-4000:]
        )
        healthy = time.monotonic()
        _started_as_documented(env, var, port, log_path)
        # Every URL make run printed answers, on the port it printed.
        printed = set(re.findall(r"http://127\.0\.0\.1:\d+/[\w/]*", log_path.read_text()))
        assert printed, log_path.read_text()
        for url in printed:
            assert url.startswith(f"{base}/"), url
            assert requests.get(url, timeout=10).status_code == 200, url

        api_key = _printed(log_path, "API key:")
        # As the README writes them: the demo's sandbox by default, a sample file.
        for extra in (["--text", "Oi, meu pedido atrasou"], ["--file", "samples/foto.jpg"]):
            done = subprocess.run(
                [sys.executable, "manage.py", "simulate_inbound", "--phone", PHONE, *extra],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr

        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {api_key}"
        messages = _wait_for(
            lambda: api.get(f"{base}/api/v1/messages", timeout=10).json()["data"],
            lambda data: len(data) >= 2,
        )
        assert len(messages) == 2, messages
        sessions = api.get(f"{base}/api/v1/sessions", timeout=10).json()["data"]
        assert len(sessions) == 1, sessions
        session_id = sessions[0]["id"]
        contact = api.get(f"{base}/api/v1/contacts/by-phone/11987654321", timeout=10)
        assert contact.status_code == 200, contact.text
        by_contact = api.get(
            f"{base}/api/v1/sessions/by-contact/{contact.json()['id']}", timeout=10
        ).json()
        texts = [m["content"].get("text") for m in by_contact["allMessages"]]
        assert "Oi, meu pedido atrasou" in texts
        assert any(m["type"] == "MEDIA" for m in by_contact["allMessages"]), by_contact

        def ai_reply():
            return api.post(
                f"{base}/api/v1/messages",
                json={
                    "sessionId": session_id,
                    "author": "AI",
                    "type": "TEXT",
                    "content": {"text": "Já verifico!"},
                },
                timeout=10,
            )

        reply = ai_reply()
        assert reply.status_code == 201, reply.text
        status = _wait_for(
            lambda: api.get(f"{base}/api/v1/messages/{reply.json()['id']}", timeout=10).json()[
                "status"
            ],
            lambda s: s == "SENT",
        )
        assert status == "SENT"

        _take_over_in_the_console(base, session_id)
        refused = ai_reply()
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "ai_blocked"
        # A few beats of the 5-second sweepers, which must not print a line each.
        time.sleep(max(0.0, healthy + 12 - time.monotonic()))
    finally:
        # Ctrl-C in the terminal: SIGINT to the whole foreground group.
        os.killpg(stack.pid, signal.SIGINT)
        left, took = wait_until_gone(var, time.monotonic(), STOP_WITHIN + 20)
        for line in left:
            os.kill(int(line.split()[0]), signal.SIGKILL)
        stack.wait(10)
        log.close()
    output = log_path.read_text()
    # Every process make run started, gone.
    assert not left, (left, output[-3000:])
    assert took < STOP_WITHIN, (took, output[-3000:])
    # Ctrl-C is a clean stop: the runner exits 0, so make reports no
    # "Error 130" (make itself ends by the SIGINT it got, silently).
    assert stack.returncode in (0, -signal.SIGINT), output[-3000:]
    assert "Error 130" not in output and "Interrupt" not in output, output[-3000:]
    assert output.rstrip().endswith("stopped"), output[-3000:]
    run_output = output.split("run_procfile.py", 1)[1]
    # Quiet: the sweepers' runs are not printed; nothing failed on the way down.
    assert "turns_sweep_lost_windows[" not in run_output
    assert "Sending due task" not in run_output
    for word in ("ERROR", "CRITICAL", "Traceback", "killed", "exited with", "Error "):
        if word in run_output:
            at = run_output.index(word)
            around = run_output[max(0, at - 2000) : at + 6000]
            pytest.fail(f"{word!r} in make run's output:\n{around}")
    # Runtime files (database, broker folders, media) all stay under var/.
    assert _untracked_files() - untracked_before == set()
    assert not (ROOT / "control").exists()
    assert (var / "broker" / "control").is_dir()


def _started_as_documented(env: dict, var: Path, port: int, log_path: Path) -> None:
    """Loopback only, its files under var/, what it printed kept, and a
    second make run on the same port refused with the holder named."""
    assert _listening_addresses(port) == {"127.0.0.1"}
    # gunicorn's control socket with the other runtime files.
    assert (var / "gunicorn.ctl").exists()
    kept = json.loads((var / "demo-credentials.json").read_text())
    printed = log_path.read_text()
    assert kept["sandboxInstanceId"] in printed and kept["apiKey"] in printed
    assert kept["baseUrl"] == f"http://127.0.0.1:{port}"
    second = _make_run(env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second_out, second_err = second.communicate(timeout=180)
    assert second.returncode != 0
    assert "is ready" not in second_out
    assert f"Port {port} on 127.0.0.1 is in use" in second_err
    assert "held by pid" in second_err and "gunicorn" in second_err


def _take_over_in_the_console(base: str, session_id: str) -> None:
    """admin/admin (printed by make run) logs in and takes the conversation over."""
    console = requests.Session()
    login_url = f"{base}/admin/login/"
    console.get(login_url, timeout=10)
    answer = console.post(
        login_url,
        data={
            "username": "admin",
            "password": "admin",
            "csrfmiddlewaretoken": console.cookies["csrftoken"],
            "next": "/admin/",
        },
        headers={"Referer": login_url},
        timeout=10,
    )
    assert answer.status_code == 200 and "sessionid" in console.cookies, answer.text[:500]
    url = f"{base}/admin/sessions_app/chatsession/{session_id}/conversation/take-over/"
    taken = console.post(
        url,
        data={"csrfmiddlewaretoken": console.cookies["csrftoken"]},
        headers={"Referer": url},
        timeout=10,
    )
    assert taken.status_code == 200, taken.text[:500]


def test_make_run_prints_and_serves_port_8000_when_port_is_not_set():
    env = {key: value for key, value in os.environ.items() if key != "PORT"}
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The port checked, then printed, is the one the Procfile's web binds.
    [check] = [line for line in plan.splitlines() if "port_free.py" in line]
    [setup] = [line for line in plan.splitlines() if "setup_demo" in line]
    assert "${HOST:-127.0.0.1} ${PORT:-8000}" in check
    assert "--base-url http://127.0.0.1:${PORT:-8000}" in setup
    assert "run_procfile.py -f Procfile web worker beat" in plan
    assert "${PORT:-8000}" in (ROOT / "Procfile").read_text().split("web:", 1)[1].split("\n")[0]
