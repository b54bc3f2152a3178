"""A whole web stack on private PostgreSQL and Redis servers that tests may stop."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import (
    ROOT,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    manage,
    seed,
    stack_env,
)


@dataclass
class Stack:
    postgres: PrivatePostgres
    redis: PrivateRedis
    web: Gunicorn
    seed: dict
    log: Path
    worker_log: Path

    def log_lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.strip()]

    def worker_log_lines(self) -> list[str]:
        return [line for line in self.worker_log.read_text().splitlines() if line.strip()]


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "-n",
            "outages@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "ready." not in log.read_text(errors="replace"):
        assert worker.poll() is None, log.read_text()[-3000:]
        time.sleep(0.2)
    return worker


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stack")
    postgres = PrivatePostgres().start()
    redis = PrivateRedis().start()
    web = worker = None
    try:
        postgres.create_database()
        env = stack_env(postgres, redis, tmp, LOG_FORMAT="json", LOG_LEVEL="INFO")
        manage(env, "migrate", "--noinput")
        data = seed(env)
        log = tmp / "web.log"
        web = Gunicorn(env, log, workers=2).start()
        worker_log = tmp / "worker.log"
        worker = _start_worker(env, worker_log)
        yield Stack(
            postgres=postgres, redis=redis, web=web, seed=data, log=log, worker_log=worker_log
        )
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                # Stuck in its warm shutdown: the servers below must still stop.
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        if web is not None:
            web.stop()
        redis.stop()
        postgres.destroy()
