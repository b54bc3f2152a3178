"""A wave of due turns: how many turns per second two Celery workers close
AND deliver, alone and while webs take webhooks.

Starts what it needs and stops it afterwards: its own PostgreSQL database
(``atende_bench_close``, or BENCH_CLOSE_DB; dropped and migrated here), its
own Redis db (14 on REDIS_URL's server, or BENCH_CLOSE_REDIS_URL), two
Celery workers (``BENCH_WORKER_CONCURRENCY`` processes each, default 2), a
fast receiver on 127.0.0.1 (threaded, answers 200 at once, checks every
signature) and, for the second run, gunicorn (``BENCH_GUNICORN_WORKERS``
sync workers) taking webhooks of other customers from 8 client threads.

Each run: N sessions (``BENCH_CLOSE_SESSIONS``, 2,000) get one customer
message each (through ``turns_assign``, as a drain puts them in) while the
workers take nothing; once every window (1 s) has passed the workers start
taking tasks, and the wave falls due at once. Figure: turns closed and
delivered per second, from the first close to the last signed delivery at
the receiver; target >= 300 turns/s alone. Judged too: every turn delivered
once, none twice, no bad signature.
"""

import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ingest import Gunicorn, evolution_instance, payload, post  # noqa: E402
from bench.bench_turns import SECRET, Receiver, wait_until  # noqa: E402
from bench.databases import fresh_database, production_env, redis_url  # noqa: E402

DB_NAME = os.environ.get("BENCH_CLOSE_DB", "atende_bench_close")
# The Redis db it uses (bench/databases.py).
BENCH_REDIS_URL = redis_url(14, override="BENCH_CLOSE_REDIS_URL")
SESSIONS = int(os.environ.get("BENCH_CLOSE_SESSIONS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
WAVE_WINDOW = 1
TIMEOUT = float(os.environ.get("BENCH_CLOSE_TIMEOUT", "300"))
TARGET = 300


def prepare() -> dict:
    import subprocess

    import redis

    bench_url = fresh_database(DB_NAME)
    env = production_env(bench_url, BENCH_REDIS_URL)
    os.environ.update(env)
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True
    )
    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()
    return {**os.environ}


def make_wave(organization, instance, offset: int) -> list[str]:
    """SESSIONS sessions with one due-soon turn each; returns their ids."""
    from django.db import transaction

    from contacts.models import Contact
    from messaging.models import Author, Direction, Message
    from messaging.turns.arrival import turns_assign
    from sessions_app.models import ChatSession

    contacts = Contact.objects.bulk_create(
        [
            Contact(organization=organization, phone=f"55219{offset + i:08d}")
            for i in range(SESSIONS)
        ]
    )
    sessions = ChatSession.objects.bulk_create(
        [
            ChatSession(
                organization=organization, contact=c, instance=instance, concat_timeout=WAVE_WINDOW
            )
            for c in contacts
        ]
    )
    for start in range(0, SESSIONS, 500):
        chunk = sessions[start : start + 500]
        with transaction.atomic():
            messages = Message.objects.bulk_create(
                [
                    Message(
                        organization_id=s.organization_id,
                        session=s,
                        contact_id=s.contact_id,
                        instance_id=s.instance_id,
                        direction=Direction.INBOUND,
                        author=Author.CUSTOMER,
                        text="oi, preciso de ajuda",
                    )
                    for s in chunk
                ]
            )
            turns_assign(messages, inbox_partition=(start // 500) % 4)
    return [str(s.id) for s in sessions]


class WebLoad:
    """Webs busy taking webhooks of other customers (8 client threads)."""

    def __init__(self, env: dict, path: str) -> None:
        self.web = Gunicorn("config.settings", env)
        self.stopping = threading.Event()
        self.posted = 0
        self.lock = threading.Lock()
        counter = iter(range(10**9))

        def client() -> None:
            while not self.stopping.is_set():
                with self.lock:
                    n = next(counter)
                post(self.web.port, path, payload(5_000_000 + n))
                with self.lock:
                    self.posted += 1

        self.threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> int:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)
        self.web.stop()
        return self.posted


def run_wave(label: str, organization, instance, workers, receiver, offset: int, load=None):
    from messaging.models import Turn

    receiver.reset()
    for worker in workers:
        worker.consume(False)
    session_ids = make_wave(organization, instance, offset)
    wanted = set(session_ids)
    time.sleep(WAVE_WINDOW + 0.5)  # every turn of the wave is due
    web_load = load() if load else None
    try:
        for worker in workers:
            worker.consume(True)

        def delivered() -> int:
            with receiver.lock:
                return len({b["session"]["id"] for _, b, _ in receiver.turns} & wanted)

        wait_until(lambda: delivered() >= SESSIONS, TIMEOUT)
    finally:
        posted = web_load.stop() if web_load else 0
    time.sleep(1)  # anything arriving late would be a duplicate
    with receiver.lock:
        arrivals = [(at, b) for at, b, _ in receiver.turns if b["session"]["id"] in wanted]
    turn_ids = [b["turn"]["id"] for _, b in arrivals]
    unique = len(set(turn_ids))
    closed = Turn.objects.filter(session_id__in=session_ids, closed_at__isnull=False)
    first_close = min(closed.values_list("closed_at", flat=True), default=None)
    last_close = max(closed.values_list("closed_at", flat=True), default=None)
    last_arrival = max((at for at, _ in arrivals), default=None)
    if first_close and last_arrival:
        seconds = last_arrival - first_close.timestamp()
        rate = unique / seconds if seconds > 0 else float("nan")
        close_rate = closed.count() / max((last_close - first_close).total_seconds(), 1e-3)
    else:
        seconds, rate, close_rate = float("nan"), 0.0, 0.0
    web = f", webs took {posted} webhooks meanwhile" if load else ""
    print(
        f"{label}: {unique}/{SESSIONS} turns delivered, {len(turn_ids) - unique} twice, "
        f"{receiver.bad_signatures} bad signatures; first close -> last delivery "
        f"{seconds:.2f} s: {rate:.0f} turns/s closed and delivered (closing alone "
        f"{close_rate:.0f}/s){web}",
        flush=True,
    )
    return {"unique": unique, "twice": len(turn_ids) - unique, "rate": rate}


def main() -> int:
    env = prepare()
    import django

    django.setup()
    from accounts.services import organization_create
    from integrations.services import integration_create
    from tests.support.worker import WorkerProcess

    receiver = Receiver()
    organization, _ = organization_create(name="Bench", api_key_name="bench")
    instance = evolution_instance(organization)
    integration_create(
        organization=organization,
        name="AI",
        url=receiver.url,
        events=["turn.ready"],
        secret=SECRET,
    )
    path = f"/api/v1/webhooks/evolution/{instance.webhook_secret}"
    workers = [
        WorkerProcess(concurrency=CONCURRENCY, name=f"bench-close{n}", consuming=False).start()
        for n in (1, 2)
    ]
    print(
        f"{SESSIONS} sessions with a due turn each, 2 workers x concurrency {CONCURRENCY}, "
        f"receiver on 127.0.0.1 (target >= {TARGET} turns/s alone)",
        flush=True,
    )
    try:
        alone = run_wave("alone", organization, instance, workers, receiver, 0)
        during = run_wave(
            "during a wave",
            organization,
            instance,
            workers,
            receiver,
            1_000_000,
            load=lambda: WebLoad(env, path),
        )
    finally:
        for worker in workers:
            worker.stop()
        receiver.stop()
    ok = all(r["unique"] == SESSIONS and r["twice"] == 0 for r in (alone, during))
    return 0 if ok and receiver.bad_signatures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
