"""Webhook ingest benchmark: the real Evolution ingest path against a bare Django view.

Starts what it needs and stops it afterwards: PostgreSQL and Redis (through
scripts/ensure_services.sh when they are not answering), its own database
``atende_bench_ingest`` (dropped, created and migrated here) and gunicorn,
twice with the same settings: once serving the product (``config.settings``),
once serving ``bench.bare_settings`` (a view that parses the JSON and inserts
one row). Loopback only; every loop is bounded.

Figures: requests/s, p50 and p99 latency for realistic Evolution
``messages.upsert`` text webhooks with unique ids from a pool of contacts,
the ratio ingest / bare (target >= 0.6), and the SQL queries one ingest
webhook runs.
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
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "atende_bench_ingest"
REQUESTS = int(os.environ.get("BENCH_INGEST_REQUESTS", "2000"))
WARMUP = int(os.environ.get("BENCH_INGEST_WARMUP", "300"))
CONCURRENCY = int(os.environ.get("BENCH_INGEST_CONCURRENCY", "8"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
CONTACTS = int(os.environ.get("BENCH_INGEST_CONTACTS", "200"))
PYTHON = sys.executable


def _database_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/atende_bench"
    parts = urlsplit(base)
    return (
        urlunsplit(parts._replace(path=f"/{DB_NAME}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9"


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
    bench_url, admin_url = _database_urls()
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "REDIS_URL": _redis_url(),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connection

    from accounts.services import organization_create
    from providers.models import Instance, Provider

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare_webhook (id bigserial PRIMARY KEY, "
            "message_id varchar(200) NOT NULL, text text NOT NULL, created_at timestamptz)"
        )
    organization, _ = organization_create(name="Bench", api_key_name="bench")
    instance = Instance.objects.create(
        organization=organization,
        name="bench",
        provider=Provider.EVOLUTION,
        base_url="http://127.0.0.1:9",
        external_id="bench",
        credentials={"apiKey": "x"},
    )
    return {"env": env, "secret": instance.webhook_secret, "instance": instance}


def payload(n: int) -> bytes:
    template = json.loads((ROOT / "providers/evolution/fixtures/text.json").read_text())
    body = copy.deepcopy(template)
    phone = f"55119{(n % CONTACTS):08d}"
    body["data"]["key"] = {
        "remoteJid": f"{phone}@s.whatsapp.net",
        "remoteJidAlt": f"{900000000000000 + n % CONTACTS}@lid",
        "fromMe": False,
        "id": f"BENCH{uuid.uuid4().hex.upper()}",
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
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn ({settings_module}) did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def post(port: int, path: str, body: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
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


def run_target(
    settings_module: str, env: dict, path: str, offset: int, app: str = "config.wsgi:application"
) -> dict:
    server = Gunicorn(settings_module, env, app)
    try:
        load(server.port, path, [payload(offset + n) for n in range(WARMUP)])
        bodies = [payload(offset + WARMUP + n) for n in range(REQUESTS)]
        return load(server.port, path, bodies)
    finally:
        server.stop()


def queries_per_webhook(secret: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    path = f"/api/v1/webhooks/evolution/{secret}"
    client.post(path, data=payload(10**6), content_type="application/json")  # new contact
    with CaptureQueriesContext(connection) as captured:
        client.post(path, data=payload(10**6), content_type="application/json")
    return len(captured.captured_queries)


def cleanup(env: dict) -> None:
    import redis

    # The ingest queues debounce tasks no worker consumes here: drop them.
    redis.Redis.from_url(env["REDIS_URL"]).delete("celery")


def main() -> int:
    prepared = prepare()
    env, secret = prepared["env"], prepared["secret"]
    path = f"/api/v1/webhooks/evolution/{secret}"
    try:
        bare = run_target("bench.bare_settings", env, path, offset=0)
        ingest = run_target("config.settings", env, path, offset=100_000)
        ingest_only = run_target(
            "config.settings", env, path, offset=200_000, app="bench.ingest_only_wsgi:application"
        )
        queries = queries_per_webhook(secret)
    finally:
        cleanup(env)
    print(
        f"gunicorn {GUNICORN_WORKERS} sync workers, {CONCURRENCY} concurrent clients, "
        f"{REQUESTS} requests after {WARMUP} warm-up, {CONTACTS} contacts"
    )
    rows = (("bare view", bare), ("ingest", ingest), ("no hooks", ingest_only))
    for name, figures in rows:
        print(
            f"{name:>10}: {figures['rps']:8.1f} req/s  p50 {figures['p50']:6.1f} ms  "
            f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']}"
        )
    ratio = ingest["rps"] / bare["rps"]
    print(f"     ratio: {ratio:.2f} ingest / bare (target >= 0.60)")
    print(
        f"     ratio: {ingest_only['rps'] / bare['rps']:.2f} ingest without pipeline hooks / bare"
    )
    print(f"   queries: {queries} per ingest webhook (known contact, open session, text)")
    return 1 if any(f["errors"] for f in (bare, ingest, ingest_only)) else 0


if __name__ == "__main__":
    sys.exit(main())
