"""Webhook ingest benchmark: the product's webhook endpoint against a bare Django view.

Starts what it needs and stops it afterwards: PostgreSQL and Redis (through
scripts/ensure_services.sh when they are not answering), its own database
(``BENCH_INGEST_DB``, default ``atende_bench_ingest``: dropped, created and
migrated here) and gunicorn with the same settings and WSGI application
(``config.wsgi``) for both: serving ``bench.bare_settings`` (a view that
parses the JSON and inserts one row) and serving the product
(``config.settings``). The bare view answers at the webhook's path, so it
runs the webhooks' short middleware stack too (``core.wsgi``). Loopback
only; every loop is bounded.

The ratio compares the endpoints: alternating rounds of bare view and
webhook endpoint, each followed by a Celery worker draining that round's
inbox (what the ingest itself costs is printed as a drain rate). A last run
keeps the worker draining while the webhooks arrive, web, worker and
PostgreSQL sharing this machine's cores.

Figures: requests/s, p50 and p99 latency for realistic Evolution
``messages.upsert`` text webhooks with unique ids from a pool of contacts,
the ratio of the medians (target >= 0.8), how long each inbox took to
drain after the last answer, a check that every message was stored exactly
once, and the SQL queries the view and a drain run per webhook.
"""

import copy
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database, production_env, redis_url  # noqa: E402
from bench.processes import terminate, wait_listening  # noqa: E402

DB_NAME = os.environ.get("BENCH_INGEST_DB", "atende_bench_ingest")
# The Redis db it uses (bench/databases.py).
BENCH_REDIS_URL = redis_url()
REQUESTS = int(os.environ.get("BENCH_INGEST_REQUESTS", "2000"))
WARMUP = int(os.environ.get("BENCH_INGEST_WARMUP", "300"))
CONCURRENCY = int(os.environ.get("BENCH_INGEST_CONCURRENCY", "8"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
DRAIN_TIMEOUT = float(os.environ.get("BENCH_INGEST_DRAIN_TIMEOUT", "600"))
CONTACTS = int(os.environ.get("BENCH_INGEST_CONTACTS", "200"))
ROUNDS = int(os.environ.get("BENCH_INGEST_ROUNDS", "3"))
PYTHON = sys.executable


def _services_up() -> bool:
    for port in (5432, 6379):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
    return True


def prepare() -> dict:
    if not _services_up():
        subprocess.run(["bash", "scripts/ensure_services.sh"], cwd=ROOT, check=True)
    bench_url = fresh_database(DB_NAME)
    env = {**os.environ, **production_env(bench_url, BENCH_REDIS_URL)}
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connection

    from accounts.services import organization_create

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare_webhook (id bigserial PRIMARY KEY, "
            "message_id varchar(200) NOT NULL, text text NOT NULL, created_at timestamptz)"
        )
    organization, _ = organization_create(name="Bench", api_key_name="bench")
    instance = evolution_instance(organization)
    return {"env": env, "secret": instance.webhook_secret, "instance": instance}


def evolution_instance(organization):
    """The bench's Evolution instance (its gateway never called)."""
    from providers.models import Instance, Provider

    return Instance.objects.create(
        organization=organization,
        name="bench",
        provider=Provider.EVOLUTION,
        base_url="http://127.0.0.1:9",
        external_id="bench",
        credentials={"apiKey": "x"},
    )


def message_id(n: int) -> str:
    return f"BENCH{n:020d}"


def payload(n: int) -> bytes:
    template = json.loads((ROOT / "providers/evolution/fixtures/text.json").read_text())
    body = copy.deepcopy(template)
    phone = f"55119{(n % CONTACTS):08d}"
    body["data"]["key"] = {
        "remoteJid": f"{phone}@s.whatsapp.net",
        "remoteJidAlt": f"{900000000000000 + n % CONTACTS}@lid",
        "fromMe": False,
        "id": message_id(n),
        "addressingMode": "pn",
    }
    body["data"]["message"]["conversation"] = f"Mensagem {n}: quero saber o preço do plano"
    body["data"]["pushName"] = f"Cliente {n % CONTACTS}"
    return json.dumps(body).encode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, settings_module: str, env: dict, app: str = "config.wsgi:application"):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
                # As config/gunicorn.py, which the bench's webs do not read.
                "--backlog",
                "4096",
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
            start_new_session=True,
        )
        if not wait_listening(self.port, timeout=30):
            self.stop()
            raise RuntimeError(f"gunicorn ({settings_module}) did not start")

    def stop(self) -> None:
        terminate(self.process)


def post(port: int, path: str, body: bytes, headers: dict | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = {"Content-Type": "application/json", **(headers or {})}
        conn.request("POST", path, body=body, headers=sent)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - started


def load(port: int, path: str, bodies: list[bytes]) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    index = iter(range(len(bodies)))

    def worker():
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                return
            status, seconds = post(port, path, bodies[i])
            with lock:
                latencies.append(seconds)
                if status != 200:
                    errors.append(status)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": len(errors),
        "requests": len(latencies),
    }


class CeleryWorker:
    """A Celery worker on the bench database, as the Procfile runs it."""

    def __init__(self, env: dict):
        self.log = open(os.devnull, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={CELERY_CONCURRENCY}",
                "-n",
                f"bench-ingest-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        terminate(self.process, grace=30)
        self.log.close()


def run_bare(env: dict, path: str) -> dict:
    server = Gunicorn("bench.bare_settings", env)
    try:
        load(server.port, path, [payload(n) for n in range(WARMUP)])
        return load(server.port, path, [payload(WARMUP + n) for n in range(REQUESTS)])
    finally:
        server.stop()


def unprocessed() -> int:
    from messaging.models import WebhookInbox

    return WebhookInbox.objects.filter(processed_at__isnull=True).count()


def run_product(env: dict, path: str, offset: int, *, worker_during: bool) -> dict:
    """The product's endpoint, then wait for the inbox to drain.

    ``worker_during``: a worker drains the inbox while the webhooks arrive,
    as in production. Otherwise it starts after the last answer: what the
    webhook view alone costs (attribution).
    """
    from django.utils import timezone

    # The turn tasks an earlier run left in the broker would run here: this
    # run measures its own work only.
    cleanup(env)
    started = timezone.now()
    worker = CeleryWorker(env) if worker_during else None
    server = Gunicorn("config.settings", env)
    try:
        load(server.port, path, [payload(offset + n) for n in range(WARMUP)])
        figures = load(server.port, path, [payload(offset + WARMUP + n) for n in range(REQUESTS)])
        answered = time.perf_counter()
        server.stop()
        worker = worker or CeleryWorker(env)
        backlog = unprocessed()
        deadline = answered + DRAIN_TIMEOUT
        while unprocessed() and time.perf_counter() < deadline:
            time.sleep(0.1)
        figures["backlog"] = backlog
        figures["drain"] = time.perf_counter() - answered
        figures["drained"] = unprocessed() == 0
    finally:
        server.stop()
        if worker is not None:
            worker.stop()
    figures.update(exactly_once(offset, WARMUP + REQUESTS, started))
    return figures


def exactly_once(offset: int, count: int, since) -> dict:
    """Every posted message is one inbox row, processed, and one Message."""
    from django.db.models import Count

    from messaging.models import Message, WebhookInbox

    ids = [message_id(offset + n) for n in range(count)]
    per_id = Message.objects.filter(provider_message_id__in=ids).values("provider_message_id")
    per_id = per_id.annotate(n=Count("id"))
    stored = {row["provider_message_id"]: row["n"] for row in per_id}
    rows = WebhookInbox.objects.filter(received_at__gte=since)
    figures = {
        "posted": count,
        "messages": sum(stored.values()),
        "missing": sum(1 for i in ids if i not in stored),
        "twice": sum(1 for n in stored.values() if n > 1),
        "inbox_rows": rows.count(),
        "inbox_failed": rows.exclude(last_error="").count(),
        "inbox_stored": sum(row.result.get("stored", 0) for row in rows.only("result")),
    }
    figures["once"] = (
        figures["messages"] == count
        and not figures["missing"]
        and not figures["twice"]
        and figures["inbox_rows"] == count
        and figures["inbox_stored"] == count
        and not figures["inbox_failed"]
    )
    return figures


def queries_per_webhook(secret: str, instance_id) -> tuple[int, int]:
    """(queries of the view, queries a drain runs for one row) for a returning customer."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from messaging.inbound import drain, tasks, wake
    from messaging.models import WebhookInbox

    # Measured here, not by a worker.
    tasks.inbox_drain.apply_async = lambda *args, **options: None
    wake.inbox_wake_reset(instance_id)
    client = Client()
    path = f"/api/v1/webhooks/evolution/{secret}"
    client.post(path, data=payload(10**6), content_type="application/json")
    drain.inbox_drain_instance(instance_id)  # a new contact first
    body = json.loads(payload(10**6))
    body["data"]["key"]["id"] = "BENCHQUERIES"
    with CaptureQueriesContext(connection) as view:
        client.post(path, data=json.dumps(body), content_type="application/json")
    with CaptureQueriesContext(connection) as task:
        assert drain.inbox_drain_instance(instance_id)[drain.PROCESSED] == 1
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()
    return len(view.captured_queries), len(task.captured_queries)


def cleanup(env: dict) -> None:
    import redis

    # Turn windows the ingest scheduled are still waiting in the broker: drop them.
    client = redis.Redis.from_url(env["REDIS_URL"])
    client.delete("celery", "unacked", "unacked_index")


def _line(name: str, figures: dict) -> str:
    return (
        f"{name:>14}: {figures['rps']:8.1f} req/s  p50 {figures['p50']:6.1f} ms  "
        f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']}"
    )


def _drain_line(name: str, figures: dict) -> str:
    drained = "" if figures["drained"] else " (NOT drained: timeout)"
    once = "exactly once" if figures["once"] else "NOT exactly once"
    return (
        f"{name:>14}: {figures['backlog']} unprocessed at the last answer, drained "
        f"{figures['drain']:.1f} s later{drained}; {figures['messages']} messages for "
        f"{figures['posted']} posted, {figures['missing']} missing, {figures['twice']} "
        f"twice, {figures['inbox_rows']} inbox rows, {figures['inbox_failed']} failed -> {once}"
    )


def main() -> int:
    prepared = prepare()
    env, secret = prepared["env"], prepared["secret"]
    path = f"/api/v1/webhooks/evolution/{secret}"
    bare_runs, alone_runs = [], []
    try:
        # Alternating rounds, medians: one noisy run must not decide the ratio.
        for n in range(ROUNDS):
            bare_runs.append(run_bare(env, path))
            alone_runs.append(run_product(env, path, offset=(n + 1) * 100_000, worker_during=False))
        shared = run_product(env, path, offset=(ROUNDS + 1) * 100_000, worker_during=True)
        view_queries, task_queries = queries_per_webhook(secret, prepared["instance"].pk)
    finally:
        cleanup(env)
    print(
        f"gunicorn {GUNICORN_WORKERS} sync workers, {CONCURRENCY} concurrent clients, "
        f"{REQUESTS} requests after {WARMUP} warm-up, {CONTACTS} contacts; "
        f"celery worker concurrency {CELERY_CONCURRENCY}; {ROUNDS} alternating rounds"
    )
    for n, (bare, alone) in enumerate(zip(bare_runs, alone_runs, strict=True), start=1):
        print(_line(f"bare view #{n}", bare))
        print(_line(f"webhook #{n}", alone))
    bare_rps = statistics.median(f["rps"] for f in bare_runs)
    alone_rps = statistics.median(f["rps"] for f in alone_runs)
    print(
        f"{'ratio':>14}: {alone_rps / bare_rps:.2f} webhook / bare (medians {alone_rps:.0f} / "
        f"{bare_rps:.0f} req/s; target >= 0.80)"
    )
    print(_line("shared cores", shared))
    print(
        f"{'':>14}  {shared['rps'] / bare_rps:.2f} x bare while a worker drains the inbox on the "
        "same cores (web, worker and PostgreSQL sharing this machine)"
    )
    for n, figures in enumerate(alone_runs, start=1):
        print(_drain_line(f"webhook #{n}", figures))
    print(_drain_line("shared cores", shared))
    rates = [f["backlog"] / f["drain"] for f in alone_runs if f["drain"]]
    print(
        f"{'ingest':>14}: {statistics.median(rates):.0f} webhooks/s drained by the worker "
        f"alone (concurrency {CELERY_CONCURRENCY}, median of the rounds' backlogs)"
    )
    print(
        f"{'queries':>14}: {view_queries} in the view (instance cached), {task_queries} in a "
        "drain for one row (known contact, open session, text; lock and claim included)"
    )
    failed = any(
        f["errors"] or not f.get("drained", True) or not f.get("once", True)
        for f in (*bare_runs, *alone_runs, shared)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
