"""Spike benchmark: many customers' bursts at once, gateway retries, two webs, two workers.

Starts what it needs and stops it afterwards, as the Procfile runs the
system: its own PostgreSQL database ``atende_bench_spike`` (dropped, created
and migrated here; ``migrate`` installs the periodic schedules), its own
Redis db (13, or BENCH_SPIKE_REDIS_URL; flushed before and after), two
gunicorn web processes (A and B, sync workers) behind nginx running
deploy/nginx.conf, whose ``X-Request-Start`` is the webs' ``ARRIVAL_HEADER``
(BENCH_SPIKE_NGINX=0: the webs alone, each webhook arriving when a web
takes it), two Celery workers
(``spike1``, ``spike2``), one beat, and the AI platform: an HTTP receiver on
127.0.0.1 that checks the signature of every ``turn.ready`` and records its
body. One organization, one instance of BENCH_SPIKE_GATEWAY (Evolution,
stamped or not, UAZapi or Cloud API) with a 2 s concat window, one
integration subscribed to ``turn.ready``. Loopback only; every loop is
bounded.

The spike: C customers each send M texts GAP seconds apart, the customers'
first messages spread so that the whole spike lasts ~SPREAD seconds;
realistic text webhooks of the gateway (Evolution's ``messages.upsert``
stamped with ``date_time`` at the scheduled send time, as Evolution stamps
what it sends, a stamp the pipeline does not read: the arrival is the
proxy's; UAZapi's; Cloud API's, signed), each posted twice, identical (a
gateway retry; to web A then web B without nginx), by POSTERS processes:
open loop (BENCH_SPIKE_OPEN_LOOP, the default), each message leaving at its
time whether or not the earlier ones were answered, as gateways fire; or
CLIENTS threads each that keep to the
schedule as far as the answers allow (one customer's messages in order).
Optionally one worker is SIGKILLed (its whole process group) KILL_AT
seconds into the spike. Then it waits until every customer's
messages are in delivered turns (or the timeout).

Figures, judged from the tables and from what the receiver got (a black
box: nothing here depends on how the drain or the turns work inside):
- exactly once: messages posted, stored (by provider message id), missing,
  stored twice; inbox rows, unprocessed, failed;
- turns per customer (histogram) and the share of customers whose whole
  burst arrived as ONE turn, every message in exactly one delivered turn and
  in order (each text carries its customer and position);
- the time from the last webhook posted to the last turn received;
- the drain rate while the webs take requests: inbox rows whose
  ``processed_at`` falls within the posting phase, per second of it;
- with a kill: how long after it the rows claimed at that moment were
  processed, and the last turn;
- the drain rate of the workers alone: the workers are stopped, a batch of
  webhooks is posted, the workers are started again, and the rows are
  divided by the span of their ``processed_at`` (first to last);
- queries per message: a batch of pending rows (known contacts, open
  sessions, texts) drained in this process by the drain entry point under
  ``CaptureQueriesContext``, SQL statements divided by the rows processed
  ("n/a" with the reason when that entry point has changed).
"""

import asyncio
import contextlib
import copy
import hashlib
import heapq
import hmac
import json
import multiprocessing
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import nginx  # noqa: E402
from bench.bench_ingest import Gunicorn, _services_up, post  # noqa: E402
from bench.bench_turns import SECRET, Receiver  # noqa: E402
from bench.databases import fresh_database, production_env, redis_url  # noqa: E402

DB_NAME = os.environ.get("BENCH_SPIKE_DB", "atende_bench_spike")
# The Redis db it uses (bench/databases.py).
BENCH_REDIS_URL = redis_url(13, override="BENCH_SPIKE_REDIS_URL")
CUSTOMERS = int(os.environ.get("BENCH_SPIKE_CUSTOMERS", "200"))
MESSAGES = int(os.environ.get("BENCH_SPIKE_MESSAGES", "5"))
GAP = float(os.environ.get("BENCH_SPIKE_GAP", "1"))
SPREAD = float(os.environ.get("BENCH_SPIKE_SPREAD", "5"))
WINDOW = int(os.environ.get("BENCH_SPIKE_WINDOW", "2"))
CLIENTS = int(os.environ.get("BENCH_SPIKE_CLIENTS", "8"))  # threads per poster
POSTERS = int(os.environ.get("BENCH_SPIKE_POSTERS", "4"))
KILL_AT = (
    float(os.environ["BENCH_SPIKE_KILL_AT"]) if os.environ.get("BENCH_SPIKE_KILL_AT") else None
)
WORKER_CONCURRENCY = int(
    os.environ.get("BENCH_SPIKE_WORKER_CONCURRENCY")
    or os.environ.get("BENCH_WORKER_CONCURRENCY")
    or "2"
)
TIMEOUT = float(os.environ.get("BENCH_SPIKE_TIMEOUT", "300"))
BATCH = int(os.environ.get("BENCH_SPIKE_BATCH", "1000"))
QUERY_ROWS = int(os.environ.get("BENCH_SPIKE_QUERY_ROWS", "100"))
PYTHON = sys.executable
KEEP_LOGS = bool(os.environ.get("BENCH_SPIKE_KEEP_LOGS"))
NGINX_IN_FRONT = os.environ.get("BENCH_SPIKE_NGINX", "1") != "0"
# Open loop: a message leaves at its time whether or not the earlier ones
# were answered (as gateways fire); closed loop: CLIENTS threads per poster.
OPEN_LOOP = os.environ.get("BENCH_SPIKE_OPEN_LOOP", "1") != "0"
# Who carries the webhooks: evolution (with its date_time send stamp),
# evolution-unstamped, uazapi or cloudapi (neither stamps its sends).
GATEWAY = os.environ.get("BENCH_SPIKE_GATEWAY", "evolution")
if GATEWAY not in {"evolution", "evolution-unstamped", "uazapi", "cloudapi"}:
    raise SystemExit(
        f"BENCH_SPIKE_GATEWAY={GATEWAY!r}: evolution, evolution-unstamped, uazapi, cloudapi"
    )

# Targets (issue 12, a 2-core machine).
TARGET_ONE_TURN = 100.0
TARGET_DRAIN = 800.0
TARGET_LAST_TURN = WINDOW + 5.0
TARGET_LAST_TURN_CUSTOMERS = 200  # the issue sets it at 200 x 5
TARGET_RECOVERY = 15.0

TOKEN = re.compile(r"\[c(\d+)\.(\d+)\]")
PHASE1_ID = 0
BATCH_ID = 10_000_000
QUERY_ID = 20_000_000


# --- setup ---------------------------------------------------------------------


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def prepare() -> dict:
    if not _services_up():
        subprocess.run(["bash", "scripts/ensure_services.sh"], cwd=ROOT, check=True)
    bench_url = fresh_database(DB_NAME)
    _flush_redis()
    env = {**os.environ, **production_env(bench_url, BENCH_REDIS_URL)}
    if NGINX_IN_FRONT:
        env["ARRIVAL_HEADER"] = "X-Request-Start"
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    # What `make run` runs before the processes start (migrate also writes
    # config.schedules into django-celery-beat's tables).
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    import django

    django.setup()
    from django_celery_beat.models import PeriodicTask

    return {"env": env, "schedules": PeriodicTask.objects.filter(enabled=True).count()}


def create_tenant(receiver_url: str) -> tuple:
    from accounts.services import organization_create
    from integrations.services import integration_create
    from providers.models import Instance, Provider

    organization, _ = organization_create(name="Spike", api_key_name="bench")
    provider = {"uazapi": Provider.UAZAPI, "cloudapi": Provider.CLOUDAPI}.get(
        GATEWAY, Provider.EVOLUTION
    )
    extra = {
        Provider.EVOLUTION: {"external_id": "spike", "credentials": {"apiKey": "x"}},
        Provider.UAZAPI: {"credentials": {"token": UAZAPI_TOKEN}},
        Provider.CLOUDAPI: {
            "external_id": CLOUD_PHONE_NUMBER_ID,
            "credentials": {"accessToken": "x"},
            "app_secret": CLOUD_APP_SECRET,
            "verify_token": "bench",
        },
    }[provider]
    instance = Instance.objects.create(
        organization=organization,
        name="spike",
        provider=provider,
        base_url="http://127.0.0.1:9",
        concat_timeout=WINDOW,
        **extra,
    )
    integration_create(
        organization=organization,
        name="AI",
        url=receiver_url,
        events=["turn.ready"],
        secret=SECRET,
    )
    return instance.pk, f"/api/v1/webhooks/{provider}/{instance.webhook_secret}"


class Celery:
    """``celery -A config worker -n <name>@%h`` or ``celery -A config beat``,
    in a process group of its own (a kill takes the pool with it)."""

    def __init__(self, env: dict, role: str, name: str = ""):
        self.name = name or role
        self.log = Path(tempfile.mkstemp(prefix=f"bench-spike-{self.name}-", suffix=".log")[1])
        command = [PYTHON, "-m", "celery", "-A", "config", role, "--loglevel=INFO"]
        if role == "worker":
            command += [f"--concurrency={WORKER_CONCURRENCY}", "-n", f"{name}@%h"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def ready(self, timeout: float = 90) -> bool:
        """Workers log "ready." once consuming; beat "beat: Starting..."."""
        marks = ("ready.", "beat: Starting")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            text = self.log.read_text(errors="replace")
            if any(mark in text for mark in marks):
                return True
            time.sleep(0.2)
        return False

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        # The pool's children too, should any be left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if KEEP_LOGS:
            print(f"{self.name} log kept: {self.log}")
        else:
            self.log.unlink(missing_ok=True)


# --- webhooks ------------------------------------------------------------------


TEMPLATE = json.loads((ROOT / "providers/evolution/fixtures/text.json").read_text())
UAZAPI_TEMPLATE = json.loads((ROOT / "providers/uazapi/fixtures/text.json").read_text())
CLOUDAPI_TEMPLATE = json.loads((ROOT / "providers/cloudapi/fixtures/text.json").read_text())
UAZAPI_TOKEN = "bench-uazapi-token"
CLOUD_APP_SECRET = "bench-cloud-app-secret"
CLOUD_PHONE_NUMBER_ID = "106540352242922"


def provider_id(n: int) -> str:
    return f"SPIKE{n:020d}"


def webhook(customer: int, position: int, n: int, at: float) -> bytes:
    """A customer's text as the chosen gateway posts it (BENCH_SPIKE_GATEWAY)."""
    text = f"[c{customer}.{position}] Oi, quero saber o preço do plano e se tem desconto"
    phone = f"55119{customer:08d}"
    if GATEWAY == "uazapi":
        return _uazapi_text(phone, customer, provider_id(n), text, at)
    if GATEWAY == "cloudapi":
        return _cloudapi_text(phone, customer, provider_id(n), text, at)
    body = _evolution_text(customer, position, n, at)
    if GATEWAY == "evolution-unstamped":
        del body["date_time"]
    return json.dumps(body).encode()


def _uazapi_text(phone: str, customer: int, message_id: str, text: str, at: float) -> bytes:
    body = copy.deepcopy(UAZAPI_TEMPLATE)
    lid = f"{900000000000000 + customer}@lid"
    body["chat"].update(
        wa_chatid=f"{phone}@s.whatsapp.net", wa_chatlid=lid, name=f"Cliente {customer}"
    )
    body["chat"]["wa_name"] = f"Cliente {customer}"
    body["message"].update(
        id=f"5511999990000:{message_id}",
        messageid=message_id,
        chatid=f"{phone}@s.whatsapp.net",
        chatlid=lid,
        sender=lid,
        sender_pn=f"{phone}@s.whatsapp.net",
        sender_lid=lid,
        senderName=f"Cliente {customer}",
        text=text,
        content=text,
        messageTimestamp=int(at * 1000),
    )
    body["token"] = UAZAPI_TOKEN
    return json.dumps(body).encode()


def _cloudapi_text(phone: str, customer: int, message_id: str, text: str, at: float) -> bytes:
    body = copy.deepcopy(CLOUDAPI_TEMPLATE)
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = CLOUD_PHONE_NUMBER_ID
    value["contacts"] = [{"profile": {"name": f"Cliente {customer}"}, "wa_id": phone}]
    value["messages"][0].update(
        {"from": phone, "id": message_id, "timestamp": str(int(at)), "text": {"body": text}}
    )
    return json.dumps(body).encode()


def _headers(body: bytes) -> dict:
    if GATEWAY != "cloudapi":
        return {}
    digest = hmac.new(CLOUD_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


def _evolution_text(customer: int, position: int, n: int, at: float) -> dict:
    """A customer's text as Evolution posts it (``messages.upsert``)."""
    body = copy.deepcopy(TEMPLATE)
    phone = f"55119{customer:08d}"
    body["instance"] = "spike"
    body["data"]["key"] = {
        "remoteJid": f"{phone}@s.whatsapp.net",
        "remoteJidAlt": f"{900000000000000 + customer}@lid",
        "fromMe": False,
        "id": provider_id(n),
        "addressingMode": "pn",
    }
    body["data"]["message"]["conversation"] = (
        f"[c{customer}.{position}] Oi, quero saber o preço do plano e se tem desconto"
    )
    body["data"]["pushName"] = f"Cliente {customer}"
    body["data"]["messageTimestamp"] = int(at)
    body["date_time"] = datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
    return body


def _post(port: int, path: str, body: bytes):
    try:
        return post(port, path, body, headers=_headers(body))[0]
    except OSError as exc:
        return type(exc).__name__


def post_all(ports: tuple[int, int], path: str, schedule: list[list[float]], ids, *, on_start=None):
    """Post every customer's messages at their times (seconds from the start),
    each to web A and again to web B; one customer's in order.

    ``schedule[c][i]``: when customer c's message i is due; ``ids[c][i]``
    its number. The customers are shared among POSTERS processes (one
    Python process cannot keep a 1,000-customer schedule on its own), each
    with its threads. Returns the figures of the posting.
    """
    started = time.time() + 1.0  # the posters are up by then
    posters = max(1, min(POSTERS, len(schedule)))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(
            target=_poster,
            args=(ports, path, schedule, ids, range(p, len(schedule), posters), started, results),
            daemon=True,
        )
        for p in range(posters)
    ]
    for process in processes:
        process.start()
    if on_start is not None:
        on_start(started)
    figures = []
    limit = time.monotonic() + max((max(t) for t in schedule if t), default=0) + 960
    while len(figures) < posters and time.monotonic() < limit:
        with contextlib.suppress(queue.Empty):
            figures.append(results.get(timeout=1))
    for process in processes:
        process.join(5)
    errors: Counter = Counter()
    for part in figures:
        errors.update(part["errors"])
    return {
        "posted": sum(part["done"] for part in figures),
        "first": min((part["first"] for part in figures if part["first"]), default=started),
        "last": max((part["last"] for part in figures), default=started),
        "lag": max((part["lag"] for part in figures), default=0.0),
        "errors": dict(errors),
        "posters": posters,
    }


def _poster(ports, path, schedule, ids, customers, started, results) -> None:
    """One posting process: its customers' messages, at their times."""
    if OPEN_LOOP:
        state = asyncio.run(_open_loop(ports, path, schedule, ids, customers, started))
        results.put({**state, "errors": dict(state["errors"])})
        return
    lock = threading.Condition()
    mine = [c for c in customers if schedule[c]]
    total = sum(len(schedule[c]) for c in mine)
    heap = [(started + schedule[c][0], c, 0) for c in mine]
    heapq.heapify(heap)
    state = {"done": 0, "lag": 0.0, "errors": Counter(), "last": 0.0, "first": None}
    deadline = time.monotonic() + (max(max(schedule[c]) for c in mine) if mine else 0) + 900

    def client():
        while time.monotonic() < deadline:
            with lock:
                if not heap:
                    if state["done"] >= total:
                        return
                    lock.wait(0.05)
                    continue
                due, c, i = heap[0]
                wait = due - time.time()
                if wait > 0:
                    lock.wait(min(wait, 0.05))
                    continue
                heapq.heappop(heap)
                state["lag"] = max(state["lag"], -wait)
            body = webhook(c, i, ids[c][i], due)
            at = time.time()
            status_a = _post(ports[0], path, body)  # the gateway
            status_b = _post(ports[1], path, body)  # its retry, to the other web
            answered = time.time()
            with lock:
                state["first"] = at if state["first"] is None else min(state["first"], at)
                state["last"] = max(state["last"], answered)
                for status in (status_a, status_b):
                    if status != 200:
                        state["errors"][status] += 1
                state["done"] += 1
                if i + 1 < len(schedule[c]):
                    heapq.heappush(heap, (started + schedule[c][i + 1], c, i + 1))
                lock.notify_all()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic()))
    results.put({**state, "errors": dict(state["errors"])})


async def _apost(port: int, path: str, body: bytes):
    """One POST on its own connection; the status, or the error's name."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in _headers(body).items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{extra}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(head.encode() + body)
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 60)
            await asyncio.wait_for(reader.read(), 60)
        finally:
            writer.close()
        return int(status_line.split()[1])
    except (OSError, TimeoutError, ValueError, IndexError) as exc:
        return type(exc).__name__


async def _open_loop(ports, path, schedule, ids, customers, started) -> dict:
    """Open loop, as gateways fire: each message leaves at its time whether
    or not the earlier ones were answered (its retry once it is)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    state = {"done": 0, "lag": 0.0, "errors": Counter(), "last": 0.0, "first": None}
    due_list = sorted((started + at, c, i) for c in customers for i, at in enumerate(schedule[c]))

    async def one(due: float, c: int, i: int) -> None:
        body = webhook(c, i, ids[c][i], due)
        at = time.time()
        statuses = [await _apost(ports[0], path, body), await _apost(ports[1], path, body)]
        state["first"] = at if state["first"] is None else min(state["first"], at)
        state["last"] = max(state["last"], time.time())
        for status in statuses:
            if status != 200:
                state["errors"][status] += 1
        state["done"] += 1

    sends = []
    for due, c, i in due_list:
        wait = due - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        state["lag"] = max(state["lag"], time.time() - due)
        sends.append(asyncio.create_task(one(due, c, i)))
    await asyncio.gather(*sends)
    return state


# --- reading the results (tables and the receiver) -----------------------------


def stored_once(instance_id, ids: list[str], since: datetime) -> dict:
    from django.db.models import Count

    from messaging.models import Message, WebhookInbox

    per_id = (
        Message.objects.filter(instance_id=instance_id, provider_message_id__in=ids)
        .values("provider_message_id")
        .annotate(n=Count("id"))
    )
    stored = {row["provider_message_id"]: row["n"] for row in per_id}
    rows = WebhookInbox.objects.filter(instance_id=instance_id, received_at__gte=since)
    return {
        "posted": len(ids),
        "messages": sum(stored.values()),
        "missing": sum(1 for i in ids if i not in stored),
        "twice": sum(1 for n in stored.values() if n > 1),
        "inbox_rows": rows.count(),
        "unprocessed": rows.filter(processed_at__isnull=True).count(),
        "failed": rows.exclude(last_error="").count(),
    }


def delivered(turns: list[tuple]) -> dict:
    """What the receiver got, per customer: [[positions of turn 1], [turn 2], ...]
    in the turns' order, plus the deliveries repeated (same turn twice)."""
    seen: dict[str, dict] = {}
    repeated = 0
    for at, body, _delivery in turns:
        turn = body.get("turn") or {}
        if turn.get("id") in seen:
            repeated += 1
            continue
        seen[turn.get("id")] = {"at": at, "turn": turn}
    per_customer: dict[int, list[tuple]] = defaultdict(list)
    for item in seen.values():
        turn = item["turn"]
        texts = [m.get("text") or "" for m in turn.get("messages") or []] or [turn.get("text", "")]
        positions: dict[int, list[int]] = defaultdict(list)
        for text in texts:
            for customer, position in TOKEN.findall(text):
                positions[int(customer)].append(int(position))
        for customer, those in positions.items():
            per_customer[customer].append((turn.get("firstMessageAt") or "", item["at"], those))
    return {
        "customers": {c: [p for *_, p in sorted(ts)] for c, ts in per_customer.items()},
        "turns": len(seen),
        "repeated": repeated,
    }


def judge(per_customer: dict[int, list[list[int]]]) -> dict:
    expected = list(range(MESSAGES))
    histogram = Counter()
    one_turn = missing = twice = out_of_order = 0
    for c in range(CUSTOMERS):
        turns = per_customer.get(c, [])
        histogram[len(turns)] += 1
        flat = [p for turn in turns for p in turn]
        counts = Counter(flat)
        missing += sum(1 for p in expected if p not in counts)
        twice += sum(1 for n in counts.values() if n > 1)
        if flat != sorted(flat):
            out_of_order += 1
        if len(turns) == 1 and turns[0] == expected:
            one_turn += 1
    return {
        "histogram": dict(sorted(histogram.items())),
        "one_turn": one_turn,
        "missing": missing,
        "twice": twice,
        "out_of_order": out_of_order,
    }


def arrivals(instance_id, ids: list[list[int]]) -> dict[int, list]:
    """Per customer, when each of its messages reached us (received_at), in order."""
    from messaging.models import Message

    wanted = {provider_id(n): (c, i) for c, row in enumerate(ids) for i, n in enumerate(row)}
    found: dict[int, dict[int, datetime]] = defaultdict(dict)
    rows = Message.objects.filter(
        instance_id=instance_id, provider_message_id__in=list(wanted)
    ).values_list("provider_message_id", "received_at")
    for message_id, received_at in rows:
        customer, position = wanted[message_id]
        found[customer][position] = received_at
    return {c: [found[c].get(i) for i in range(MESSAGES)] for c in found}


def judge_on_arrival(per_customer: dict, arrived: dict) -> dict:
    """The product's promise on what actually happened at the door: messages
    that arrived within the window of the one before are in its turn, and a
    pause longer than the window starts a new turn. ``as_one``: customers
    whose whole burst arrived with no such pause; ``one_turn``: of those,
    delivered as one turn."""
    wrong_splits = wrong_joins = as_one = one_turn = 0
    for c, times in arrived.items():
        if any(t is None for t in times):
            continue
        turn_of = {p: k for k, turn in enumerate(per_customer.get(c, [])) for p in turn}
        pauses = 0
        for i in range(1, MESSAGES):
            gap = (times[i] - times[i - 1]).total_seconds()
            split = turn_of.get(i) != turn_of.get(i - 1)
            if gap > WINDOW:
                pauses += 1
            if split and gap <= WINDOW:
                wrong_splits += 1
            if not split and gap > WINDOW:
                wrong_joins += 1
        if not pauses:
            as_one += 1
            one_turn += len(per_customer.get(c, [])) == 1
    return {
        "as_one": as_one,
        "one_turn": one_turn,
        "wrong_splits": wrong_splits,
        "wrong_joins": wrong_joins,
    }


def all_delivered(receiver: Receiver) -> bool:
    with receiver.lock:
        turns = list(receiver.turns)
    per_customer = delivered(turns)["customers"]
    return all(
        sorted(p for turn in per_customer.get(c, []) for p in turn) == list(range(MESSAGES))
        for c in range(CUSTOMERS)
    )


def processed_between(instance_id, start: float, end: float) -> int:
    from messaging.models import WebhookInbox

    return WebhookInbox.objects.filter(
        instance_id=instance_id,
        processed_at__gte=datetime.fromtimestamp(start, UTC),
        processed_at__lte=datetime.fromtimestamp(end, UTC),
    ).count()


def backlog_at(instance_id, moment: float) -> int:
    """Rows received by ``moment`` and not processed by then."""
    from django.db.models import Q

    from messaging.models import WebhookInbox

    at = datetime.fromtimestamp(moment, UTC)
    return (
        WebhookInbox.objects.filter(instance_id=instance_id, received_at__lte=at)
        .filter(Q(processed_at__isnull=True) | Q(processed_at__gt=at))
        .count()
    )


def processed_span(instance_id, since: datetime) -> tuple[int, float, float | None]:
    """(rows received since, unprocessed, seconds from first to last processed_at)."""
    from django.db.models import Max, Min

    from messaging.models import WebhookInbox

    rows = WebhookInbox.objects.filter(instance_id=instance_id, received_at__gte=since)
    span = rows.aggregate(first=Min("processed_at"), last=Max("processed_at"))
    seconds = (
        (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else None
    )
    return rows.count(), rows.filter(processed_at__isnull=True).count(), seconds


def wait_until(predicate, timeout: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# --- phases ----------------------------------------------------------------------


def spike_schedule() -> list[list[float]]:
    burst = (MESSAGES - 1) * GAP
    starts = max(0.0, SPREAD - burst)
    return [
        [(c * starts / max(1, CUSTOMERS - 1)) + i * GAP for i in range(MESSAGES)]
        for c in range(CUSTOMERS)
    ]


def run_spike(ports, path, instance_id, workers, receiver) -> dict:
    from django.db import connections
    from django.db.models import Max

    from messaging.models import WebhookInbox

    ids = [[PHASE1_ID + c * MESSAGES + i for i in range(MESSAGES)] for c in range(CUSTOMERS)]
    kill: dict = {}

    def killer(started: float) -> None:
        time.sleep(max(0.0, started + KILL_AT - time.time()))
        workers[0].kill()
        kill["at"] = time.time()
        try:
            kill["held"] = list(
                WebhookInbox.objects.filter(
                    instance_id=instance_id, processed_at__isnull=True, claimed_at__isnull=False
                ).values_list("id", flat=True)
            )
        finally:
            connections.close_all()

    killers = []

    def on_start(started: float) -> None:
        if KILL_AT is not None:
            thread = threading.Thread(target=killer, args=(started,), daemon=True)
            thread.start()
            killers.append(thread)

    since = datetime.now(UTC)
    posting = post_all(ports, path, spike_schedule(), ids, on_start=on_start)
    for thread in killers:
        thread.join(60)

    recovered_at = None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if kill.get("held") is not None and recovered_at is None:
            left = WebhookInbox.objects.filter(pk__in=kill["held"], processed_at__isnull=True)
            if not left.exists():
                # When the last of them was ingested, not when this loop
                # (which starts after the posting) first saw it.
                last = WebhookInbox.objects.filter(pk__in=kill["held"]).aggregate(
                    last=Max("processed_at")
                )["last"]
                recovered_at = last.timestamp() if last else time.time()
        if all_delivered(receiver) and ("held" not in kill or recovered_at is not None):
            break
        time.sleep(0.25)
    time.sleep(2)  # a turn delivered twice would arrive now
    with receiver.lock:
        turns = list(receiver.turns)
    flat_ids = [provider_id(n) for row in ids for n in row]
    figures = {
        "posting": posting,
        "stored": stored_once(instance_id, flat_ids, since),
        "delivered": delivered(turns),
        "last_turn": max((at for at, *_ in turns), default=None),
        "during": processed_between(instance_id, posting["first"], posting["last"]),
        "backlog": backlog_at(instance_id, posting["last"]),
        "span": processed_span(instance_id, since),
        "kill": kill,
        "recovered_at": recovered_at,
        "bad_signatures": receiver.bad_signatures,
    }
    figures["judged"] = judge(figures["delivered"]["customers"])
    figures["on_arrival"] = judge_on_arrival(
        figures["delivered"]["customers"], arrivals(instance_id, ids)
    )
    return figures


def queries_per_message(ports, path, instance_id) -> str:
    """Post rows with no worker running, then drain them here under
    CaptureQueriesContext: statements / rows processed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from messaging.models import WebhookInbox

    customers = max(1, min(CUSTOMERS, QUERY_ROWS))
    schedule = [[] for _ in range(customers)]
    ids = [[] for _ in range(customers)]
    for n in range(QUERY_ROWS):
        schedule[n % customers].append(0.0)
        ids[n % customers].append(QUERY_ID + n)
    post_all(ports, path, schedule, ids)
    pending = WebhookInbox.objects.filter(instance_id=instance_id, processed_at__isnull=True)
    before = pending.count()
    try:
        from messaging.inbound import drain, wake

        with CaptureQueriesContext(connection) as captured:
            for _ in range(20):  # bounded: a drain may stop at a time budget
                with contextlib.suppress(AttributeError):
                    wake.inbox_wake_reset(instance_id)
                drain.inbox_drain_instance(instance_id)
                if not pending.exists():
                    break
            statements = len(captured)
    except Exception as exc:  # noqa: BLE001 (a changed entry point: reported, not fatal)
        return f"n/a (the drain entry point failed here: {type(exc).__name__}: {exc})"[:200]
    processed = before - pending.count()
    if not processed:
        return f"n/a (the drain processed none of the {before} pending rows in this process)"
    return (
        f"{statements / processed:.1f} per message ({statements} statements for {processed} "
        "rows: known contacts, open sessions, texts; drained in-process by "
        "messaging.inbound.drain.inbox_drain_instance)"
    )


def run_workers_alone(env, ports, path, instance_id, receiver) -> dict:
    """Workers stopped: post BATCH webhooks; start them; time the drain."""
    customers = max(1, min(CUSTOMERS, BATCH))
    schedule = [[] for _ in range(customers)]
    ids = [[] for _ in range(customers)]
    for n in range(BATCH):
        schedule[n % customers].append(0.0)
        ids[n % customers].append(BATCH_ID + n)
    since = datetime.now(UTC)
    posting = post_all(ports, path, schedule, ids)
    workers = [Celery(env, "worker", f"spike{n}") for n in (1, 2)]
    try:
        started = time.time()
        ready = all(worker.ready() for worker in workers)

        def drained() -> bool:
            return processed_span(instance_id, since)[1] == 0

        done = wait_until(drained, TIMEOUT)
        rows, unprocessed, seconds = processed_span(instance_id, since)
    finally:
        for worker in workers:
            worker.stop()
    from messaging.models import WebhookInbox

    last = (
        WebhookInbox.objects.filter(instance_id=instance_id, received_at__gte=since)
        .order_by("-processed_at")
        .values_list("processed_at", flat=True)
        .first()
    )
    return {
        "posting": posting,
        "rows": rows,
        "unprocessed": unprocessed,
        "seconds": seconds,
        "from_start": (last.timestamp() - started) if last else None,
        "ready": ready,
        "done": done,
    }


# --- report ----------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(spike: dict, alone: dict, queries: str, schedules: int) -> bool:
    posting, stored, judged = spike["posting"], spike["stored"], spike["judged"]
    window_end = posting["last"]
    front = "nginx in front of " if NGINX_IN_FRONT else ""
    twice = "twice through nginx" if NGINX_IN_FRONT else "to web A and again to web B"
    print(
        f"{front}2 webs (gunicorn, sync workers) + 2 workers (concurrency {WORKER_CONCURRENCY}) "
        f"+ beat ({schedules} periodic tasks); window {WINDOW} s; {CUSTOMERS} customers x "
        f"{MESSAGES} texts {GAP:g} s apart over ~{SPREAD:g} s, each webhook {twice}; "
        f"{posting['posters']} posting processes"
        + (" (open loop)" if OPEN_LOOP else f" x {CLIENTS} threads")
        + (f"; one worker SIGKILLed at {KILL_AT:g} s" if KILL_AT else "")
    )
    errors = posting["errors"] or "none"
    print(
        f"{'posting':>14}: {posting['posted']} webhooks x 2 in "
        f"{posting['last'] - posting['first']:.1f} s (max {posting['lag']:.2f} s behind "
        f"schedule), non-200 answers: {errors}"
    )
    once = (
        stored["messages"] == stored["posted"]
        and not stored["missing"]
        and not stored["twice"]
        and stored["inbox_rows"] == stored["posted"]
        and not stored["unprocessed"]
        and not stored["failed"]
    )
    print(
        f"{'exactly once':>14}: {stored['posted']} posted, {stored['messages']} stored, "
        f"{stored['missing']} missing, {stored['twice']} twice; {stored['inbox_rows']} inbox "
        f"rows, {stored['unprocessed']} unprocessed, {stored['failed']} failed -> "
        f"{'exactly once' if once else 'NOT exactly once'}"
    )
    histogram = ", ".join(
        f"{k} turn{'s' if k != 1 else ''}: {v}" for k, v in judged["histogram"].items()
    )
    print(
        f"{'turns':>14}: {spike['delivered']['turns']} delivered for {CUSTOMERS} customers "
        f"({histogram}); repeated deliveries {spike['delivered']['repeated']}, bad signatures "
        f"{spike['bad_signatures']}"
    )
    in_turns = not judged["missing"] and not judged["twice"] and not judged["out_of_order"]
    print(
        f"{'in turns':>14}: {judged['missing']} messages in no delivered turn, {judged['twice']} "
        f"in two, {judged['out_of_order']} customers out of order -> "
        f"{'each message in exactly one turn, in order' if in_turns else 'NOT'}"
    )
    share = 100.0 * judged["one_turn"] / CUSTOMERS if CUSTOMERS else 0.0
    print(
        f"{'one turn':>14}: {share:.1f}% of customers' bursts arrived as one turn "
        f"({judged['one_turn']}/{CUSTOMERS}; target {TARGET_ONE_TURN:.0f}%) "
        f"{_mark(share >= TARGET_ONE_TURN)}"
    )
    arrival = spike["on_arrival"]
    arrival_ok = arrival["one_turn"] == arrival["as_one"] and not (
        arrival["wrong_splits"] or arrival["wrong_joins"]
    )
    print(
        f"{'on arrival':>14}: {arrival['as_one']} customers' bursts reached the door with no "
        f"pause over {WINDOW} s (the others' clients fell behind schedule), "
        f"{arrival['one_turn']} of them delivered as one turn; turns split at a gap <= the "
        f"window: {arrival['wrong_splits']}, joined across a longer gap: "
        f"{arrival['wrong_joins']} {_mark(arrival_ok)}"
    )
    if spike["last_turn"] is not None:
        after = spike["last_turn"] - window_end
        judged_here = CUSTOMERS <= TARGET_LAST_TURN_CUSTOMERS
        print(
            f"{'last turn':>14}: {after:.1f} s after the last webhook posted "
            + (
                f"(target <= window + 5 = {TARGET_LAST_TURN:.0f} s) "
                f"{_mark(after <= TARGET_LAST_TURN)}"
                if judged_here
                else f"(the <= window + 5 s target is for {TARGET_LAST_TURN_CUSTOMERS} customers)"
            )
        )
    else:
        print(f"{'last turn':>14}: no turn received")
    posting_seconds = max(1e-3, posting["last"] - posting["first"])
    rows, unprocessed, span = spike["span"]
    overall = f", {rows / span:.0f} rows/s from the first to the last processed" if span else ""
    print(
        f"{'drain, shared':>14}: {spike['during'] / posting_seconds:.0f} rows/s while the webs "
        f"take requests ({spike['during']} inbox rows processed in the {posting_seconds:.1f} s "
        f"of posting, {posting['posted'] / posting_seconds:.0f}/s arriving; "
        f"{spike['backlog']} unprocessed when the last webhook was answered){overall}"
    )
    kill_ok = True
    all_in_turns = not judged["missing"]
    if KILL_AT is not None:
        kill = spike["kill"]
        if "at" not in kill:
            print(f"{'recovery':>14}: the kill did not happen")
            kill_ok = False
        else:
            held = len(kill.get("held") or [])
            re_driven = (
                f"{spike['recovered_at'] - kill['at']:.1f} s"
                if spike["recovered_at"]
                else "not within the timeout"
            )
            # Recovered: every message in a delivered turn; the last turn
            # after the kill is the recovery time.
            done = spike["last_turn"] is not None and all_in_turns
            recovery = spike["last_turn"] - kill["at"] if done else None
            shown = f"{recovery:.1f} s" if recovery is not None else "not within the timeout"
            print(
                f"{'recovery':>14}: worker spike1 SIGKILLed {kill['at'] - posting['first']:.1f} s "
                f"into the spike; every message in a delivered turn {shown} after the kill "
                f"(target <= {TARGET_RECOVERY:.0f} s) "
                f"{_mark(recovery is not None and recovery <= TARGET_RECOVERY)}; the {held} rows "
                f"claimed at the kill (either worker's) processed {re_driven} after it; the "
                f"last webhook was answered {posting['last'] - kill['at']:.1f} s after it"
            )
    if alone["seconds"]:
        rate = alone["rows"] / alone["seconds"]
        from_start = (
            f"; {alone['from_start']:.1f} s from starting the workers to the last row"
            if alone["from_start"]
            else ""
        )
        print(
            f"{'drain, alone':>14}: {rate:.0f} rows/s by the workers alone ({alone['rows']} rows "
            f"posted with the workers stopped, drained in {alone['seconds']:.1f} s from the first "
            f"processed_at to the last{from_start}; target >= {TARGET_DRAIN:.0f}) "
            f"{_mark(rate >= TARGET_DRAIN)}"
        )
    else:
        print(f"{'drain, alone':>14}: n/a ({alone['rows']} rows, {alone['unprocessed']} left)")
    print(f"{'queries':>14}: {queries}")
    return once and in_turns and not posting["errors"] and kill_ok and alone["done"]


def main() -> int:
    prepared = prepare()
    env, schedules = prepared["env"], prepared["schedules"]
    receiver = Receiver()
    processes: list = []
    webs: list = []
    proxy = None
    try:
        instance_id, path = create_tenant(receiver.url)
        webs = [Gunicorn("config.settings", env) for _ in range(2)]
        ports = (webs[0].port, webs[1].port)
        if NGINX_IN_FRONT:
            if not nginx.available():
                print("nginx is not installed (scripts/ensure_services.sh; BENCH_SPIKE_NGINX=0)")
                return 1
            proxy = nginx.Nginx(ports)
            ports = (proxy.port, proxy.port)
        beat = Celery(env, "beat")
        workers = [Celery(env, "worker", f"spike{n}") for n in (1, 2)]
        processes = [beat, *workers]
        if not all(process.ready() for process in processes):
            print("a Celery process did not start")
            return 1
        spike = run_spike(ports, path, instance_id, workers, receiver)
        for worker in workers:
            worker.stop()
        queries = queries_per_message(ports, path, instance_id)
        alone = run_workers_alone(env, ports, path, instance_id, receiver)
    finally:
        for process in processes:
            process.stop()
        if proxy is not None:
            proxy.stop()
        for web in webs:
            web.stop()
        receiver.stop()
        _flush_redis()
    return 0 if report(spike, alone, queries, schedules) else 1


if __name__ == "__main__":
    sys.exit(main())
