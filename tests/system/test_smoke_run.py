"""`make run`'s stack on the embedded defaults: SQLite + file-system broker."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.embedded import seed_var

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.worker
def test_embedded_stack_serves_health_and_admin_then_stops(tmp_path, migrated_sqlite):
    port = _free_port()
    seed_var(tmp_path / "var", migrated_sqlite)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "ATENDE_VAR_DIR": str(tmp_path / "var"),
            "PORT": str(port),
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
            "WORKER_CONCURRENCY": "1",
            "WEB_CONCURRENCY": "1",
        }
    )
    python = sys.executable
    # Migrated already (the seeded database): what make run does next.
    for command in (["createcachetable"], ["setup_demo"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )

    log = (tmp_path / "run.log").open("w")
    stack = subprocess.Popen(
        [python, "scripts/run_procfile.py", "-f", "Procfile", "web", "worker", "beat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline:
            try:
                status = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code
            # A web process loads the app on its first request: on a busy
            # machine that answer may outlast the timeout. Not up yet either.
            except (requests.ConnectionError, requests.Timeout):
                status = None
            if status == 200:
                break
            time.sleep(1)
        assert status == 200, (tmp_path / "run.log").read_text()[-4000:]
        admin = requests.get(f"http://127.0.0.1:{port}/admin/login/", timeout=5)
        assert admin.status_code == 200
        _a_customer_message_flows_through(tmp_path, env, port)
    finally:
        os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait(10)
    assert stack.returncode is not None


def _a_customer_message_flows_through(tmp_path, env, port):
    """The README's tour on the embedded stack: a sandbox webhook becomes a
    message the API reads, and the AI's reply is sent through the sandbox."""
    import json

    credentials = json.loads((tmp_path / "var" / "demo-credentials.json").read_text())
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {credentials['apiKey']}"
    base = f"http://127.0.0.1:{port}/api/v1"
    [instance] = api.get(f"{base}/instances", timeout=10).json()["data"]
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "simulate_inbound",
            "--instance",
            instance["id"],
            "--phone",
            "5511987654321",
            "--text",
            "Oi, meu pedido atrasou",
            "--url",
            f"http://127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    deadline = time.monotonic() + 60
    messages = []
    while time.monotonic() < deadline and not messages:
        messages = api.get(f"{base}/messages", timeout=10).json()["data"]
        time.sleep(0.5)
    assert [m["content"]["text"] for m in messages] == ["Oi, meu pedido atrasou"]

    reply = api.post(
        f"{base}/messages",
        json={
            "sessionId": messages[0]["sessionId"],
            "author": "AI",
            "type": "TEXT",
            "content": {"text": "Já verifico!"},
        },
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and status != "SENT":
        status = api.get(f"{base}/messages/{reply.json()['id']}", timeout=10).json()["status"]
        time.sleep(0.5)
    assert status == "SENT"
