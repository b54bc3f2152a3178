"""Turn pipeline benchmark: debounce latency and a 1,000-session burst.

Starts what it needs and stops it afterwards: its own PostgreSQL database
(``atende_bench_turns``, dropped and migrated here), its own Redis db (12,
or BENCH_TURNS_REDIS_URL), one Celery worker and a receiver HTTP server on
127.0.0.1 that checks every signature.

Figures:
- latency: from the commit of a burst's last message to the signed POST
  arriving at the receiver, minus the window (what the debounce adds);
  target p99 <= 150 ms;
- burst: 1,000 sessions writing at once: turns delivered, duplicates, time
  from the last message to the last turn received; target 1,000/1,000, 0.
"""

import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database, redis_url  # noqa: E402

DB_NAME = os.environ.get("BENCH_TURNS_DB", "atende_bench_turns")
# The Redis db it uses (bench/databases.py).
BENCH_REDIS_URL = redis_url(12, override="BENCH_TURNS_REDIS_URL")
SECRET = "bench-secret"
LATENCY_SESSIONS = int(os.environ.get("BENCH_LATENCY_SESSIONS", "60"))
LATENCY_WINDOW = 1
BURST_SESSIONS = int(os.environ.get("BENCH_BURST_SESSIONS", "1000"))
BURST_WINDOW = 2
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "4"))


def prepare_environment() -> None:
    bench_url = fresh_database(DB_NAME)
    os.environ.update(
        {
            "DATABASE_URL": bench_url,
            "REDIS_URL": BENCH_REDIS_URL,
            "CELERY_BROKER_URL": BENCH_REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True
    )
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


class _Server(ThreadingHTTPServer):
    # A listen backlog like a real server's: the default 5 resets
    # connections when the workers open many at once.
    request_queue_size = 128


class Receiver:
    """The AI platform: records when each signed turn arrives."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.turns: list[tuple[float, dict, str]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.time()
                timestamp = self.headers.get("X-Atende-Timestamp", "")
                expected = hmac.new(
                    SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                ok = hmac.compare_digest(
                    self.headers.get("X-Atende-Signature", ""), f"sha256={expected}"
                )
                with receiver.lock:
                    if ok:
                        receiver.turns.append(
                            (at, json.loads(body), self.headers.get("X-Atende-Delivery", ""))
                        )
                    else:
                        receiver.bad_signatures += 1
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/turns"

    def count(self) -> int:
        with self.lock:
            return len(self.turns)

    def reset(self) -> None:
        with self.lock:
            self.turns.clear()

    def stop(self) -> None:
        self.server.shutdown()


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    prepare_environment()
    import django

    django.setup()
    from django.db import transaction

    from accounts.models import Organization
    from contacts.models import Contact
    from integrations.services import integration_create
    from messaging.models import Author, Direction, Message
    from messaging.pipeline import on_customer_message
    from providers.models import Instance
    from sessions_app.models import ChatSession
    from tests.support.worker import WorkerProcess

    receiver = Receiver()
    worker = WorkerProcess(concurrency=WORKER_CONCURRENCY, name="bench-turns").start()
    try:
        organization = Organization.objects.create(name="Bench")
        instance = Instance.objects.create(organization=organization, name="b", provider="sandbox")
        integration_create(
            organization=organization,
            name="AI",
            url=receiver.url,
            events=["turn.ready"],
            secret=SECRET,
        )

        def make_sessions(count: int, window: int, offset: int) -> list:
            contacts = Contact.objects.bulk_create(
                [
                    Contact(organization=organization, phone=f"55119{offset + i:08d}")
                    for i in range(count)
                ]
            )
            return ChatSession.objects.bulk_create(
                [
                    ChatSession(
                        organization=organization,
                        contact=c,
                        instance=instance,
                        concat_timeout=window,
                    )
                    for c in contacts
                ]
            )

        def say(session, text: str) -> float:
            with transaction.atomic():
                message = Message.objects.create(
                    organization_id=session.organization_id,
                    session=session,
                    contact_id=session.contact_id,
                    instance_id=session.instance_id,
                    direction=Direction.INBOUND,
                    author=Author.CUSTOMER,
                    text=text,
                )
                on_customer_message(message)
            return time.time()  # committed: the window starts now

        # --- latency --------------------------------------------------------
        sessions = make_sessions(LATENCY_SESSIONS, LATENCY_WINDOW, 0)
        last_at: dict[str, float] = {}
        for session in sessions:
            for i in range(3):
                last_at[str(session.id)] = say(session, f"msg {i}")
                time.sleep(0.02)
            time.sleep(0.1)
        wait_until(lambda: receiver.count() >= LATENCY_SESSIONS, 60)
        with receiver.lock:
            arrivals = list(receiver.turns)
        latencies = [
            (at - last_at[body["session"]["id"]] - LATENCY_WINDOW) * 1000
            for at, body, _ in arrivals
        ]
        print(
            f"latency over the {LATENCY_WINDOW}s window ({len(latencies)} bursts of 3): "
            f"p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
            f"max {max(latencies):.0f} ms, mean {statistics.mean(latencies):.0f} ms "
            "(target p99 <= 150 ms)"
        )

        # --- 1,000-session burst ---------------------------------------------
        receiver.reset()
        sessions = make_sessions(BURST_SESSIONS, BURST_WINDOW, 100_000)
        started = time.time()
        last_message_at = started
        for session in sessions:
            say(session, "oi")
            last_message_at = say(session, "preciso de ajuda")
        write_seconds = last_message_at - started
        wait_until(lambda: receiver.count() >= BURST_SESSIONS, 180)
        time.sleep(2)  # anything arriving late would be a duplicate
        with receiver.lock:
            arrivals = list(receiver.turns)
        session_ids = [body["session"]["id"] for _, body, _ in arrivals]
        turn_ids = [body["turn"]["id"] for _, body, _ in arrivals]
        unique_sessions = len(set(session_ids))
        duplicates = len(turn_ids) - len(set(turn_ids)) + (len(session_ids) - unique_sessions)
        complete = sum(1 for _, body, _ in arrivals if body["turn"]["messagesCount"] == 2)
        drain = max(at for at, _, _ in arrivals) - last_message_at if arrivals else float("nan")
        print(
            f"burst: {BURST_SESSIONS} sessions x 2 messages written in {write_seconds:.1f} s; "
            f"turns delivered {unique_sessions}/{BURST_SESSIONS}, duplicates {duplicates}, "
            f"turns with both messages {complete}, bad signatures {receiver.bad_signatures}; "
            f"drained {drain:.2f} s after the last message (window {BURST_WINDOW} s)"
        )
        ok = unique_sessions == BURST_SESSIONS and duplicates == 0
        return 0 if ok else 1
    finally:
        worker.stop()
        receiver.stop()


if __name__ == "__main__":
    sys.exit(main())
