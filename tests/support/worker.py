"""Run a real Celery worker (and optionally beat) against the test database."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def worker_env(extra: dict | None = None) -> dict:
    env = os.environ.copy()
    env.update(
        {
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


# A queue no task is sent to: a worker listening only there takes nothing.
IDLE_QUEUE = "tests-idle"


def task_queues() -> list[str]:
    """The queues tasks are routed to (config/celery.py)."""
    return [queue.name for queue in app.conf.task_queues]


class WorkerProcess:
    def __init__(
        self,
        *,
        concurrency: int = 2,
        extra_env: dict | None = None,
        name: str = "",
        consuming: bool = True,
    ):
        self.name = name or f"test-{uuid.uuid4().hex[:8]}"
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        # False: started (or restarted) listening on IDLE_QUEUE only, so it
        # runs no task until consume(True).
        self.consuming = consuming
        self.log = Path(tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "WorkerProcess":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                "-n",
                self.nodename,
                "-Q",
                ",".join(task_queues() if self.consuming else [IDLE_QUEUE]),
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=worker_env(self.extra_env),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text(errors="replace"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Celery worker did not start:\n{self.log.read_text()[-3000:]}")

    @property
    def nodename(self) -> str:
        return f"{self.name}@{socket.gethostname()}"

    def consume(self, consuming: bool, timeout: float = 60) -> None:
        """Start (True) or stop (False) taking tasks from the task queues,
        without a restart. A task already taken runs to its end."""
        self.consuming = consuming
        if not self.process or self.process.poll() is not None:
            return  # start() listens as told
        for queue in task_queues():
            self._control("add_consumer" if consuming else "cancel_consumer", queue, timeout)

    def _control(self, command: str, queue: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = getattr(app.control, command)(
                queue, destination=[self.nodename], reply=True, timeout=5
            )
            if replies:
                return
        raise RuntimeError(f"Celery worker {self.nodename} did not answer {command} {queue}")

    def kill(self) -> None:
        """Die like a crashed machine: no warm shutdown, no acks."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def purge_broker() -> None:
    app.control.purge()


@contextmanager
def running_worker(**kwargs):
    worker = WorkerProcess(**kwargs).start()
    try:
        yield worker
    finally:
        worker.stop()
