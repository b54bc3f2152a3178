"""Prometheus metrics: every family the service exports, in one place.

Counters and histograms are written by whichever process does the work (a
gunicorn worker, a Celery worker process) through ``prometheus_client``'s
multiprocess mode: each process writes its own files under
``PROMETHEUS_MULTIPROC_DIR`` (set by ``config.settings`` before this module
is imported), and ``GET /metrics`` adds them up. Gauges that describe the
database (inbox backlog, sessions open, failing integrations) are not kept
by any process: apps register a collector with ``register_collector`` from
their ``AppConfig.ready()`` (core imports none of them) and it queries the
database at scrape time, so every web process answers the same.

Labels never carry customer data: no phone numbers, no message text, no
names. Organization and instance ids are fine; everything else is a small
closed set (provider slugs, reasons, outcomes, task names).

docs/OPERATIONS.md documents every family.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from django.db import transaction
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger(__name__)

# Seconds buckets for work that takes from milliseconds (a delivery, a
# request) to minutes (a turn waiting for a transcription, a long video).
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
BYTES_BUCKETS = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 5242880)

# --- HTTP -----------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "atende_http_requests_total",
    "HTTP requests answered, by route pattern (never the raw path) and status code.",
    ["method", "route", "code"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "atende_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)

# --- Webhooks and the inbox ----------------------------------------------
WEBHOOKS_RECEIVED = Counter(
    "atende_webhooks_received_total",
    "Gateway webhooks received, by provider and the status code answered.",
    ["provider", "code"],
)
WEBHOOK_BODY_BYTES = Histogram(
    "atende_webhook_body_bytes",
    "Size of webhook bodies received, by provider.",
    ["provider"],
    buckets=BYTES_BUCKETS,
)
WEBHOOK_DOOR_WAIT_SECONDS = Histogram(
    "atende_webhook_door_wait_seconds",
    "How long webhooks waited between the proxy's arrival stamp and a web "
    "process (messaging.inbound.door; only with ARRIVAL_HEADER set).",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60),
)
WEBHOOKS_REJECTED = Counter(
    "atende_webhooks_rejected_total",
    "Webhooks refused, by provider and reason (auth, size, parse, unavailable).",
    ["provider", "reason"],
)
INBOX_ROWS = Counter(
    "atende_inbox_rows_total",
    "Webhook inbox rows run by the drain and the sweeper, by outcome "
    "(processed, skipped, invalid, failed).",
    ["outcome"],
)

# --- Turns and deliveries -------------------------------------------------
TURNS_CLOSED = Counter(
    "atende_turns_closed_total",
    "Turns closed, by close reason and what dispatch decided "
    "(DISPATCHED, SKIPPED, NO_INTEGRATION).",
    ["reason", "dispatch"],
)
TURNS_SKIPPED = Counter(
    "atende_turns_skipped_total",
    "Turns not offered to the AI, by refusal reason.",
    ["reason"],
)
TURN_LATENCY_SECONDS = Histogram(
    "atende_turn_latency_seconds",
    "A turn's last customer message → its turn.ready delivered to an integration.",
    buckets=LATENCY_BUCKETS,
)
DELIVERY_ATTEMPTS = Counter(
    "atende_delivery_attempts_total",
    "Delivery attempts, by event and outcome (succeeded, retry, failed).",
    ["event", "outcome"],
)
DELIVERIES_FINISHED = Counter(
    "atende_deliveries_total",
    "Deliveries finished, by event and outcome (succeeded, failed_permanent, "
    "failed_exhausted, failed_inactive).",
    ["event", "outcome"],
)
DELIVERY_SECONDS = Histogram(
    "atende_delivery_duration_seconds",
    "A delivery's creation → the receiver's 2xx, retries included, by event.",
    ["event"],
    buckets=LATENCY_BUCKETS,
)
DELIVERY_ATTEMPT_SECONDS = Histogram(
    "atende_delivery_attempt_duration_seconds",
    "One HTTP attempt to an integration, by event.",
    ["event"],
    buckets=LATENCY_BUCKETS,
)

# --- Outbound sends -------------------------------------------------------
OUTBOUND_SENDS = Counter(
    "atende_outbound_sends_total",
    "Outbound messages sent through a gateway, by provider and final status (sent, failed).",
    ["provider", "status"],
)
GATEWAY_ERRORS = Counter(
    "atende_gateway_errors_total",
    "Gateway errors while sending, by provider and kind (transient, permanent).",
    ["provider", "kind"],
)

# --- Transcription --------------------------------------------------------
TRANSCRIPTIONS = Counter(
    "atende_transcriptions_total",
    "Transcription runs (one per try), by message kind and outcome "
    "(done, skipped, transient_error, permanent_error).",
    ["kind", "outcome"],
)
TRANSCRIPTIONS_FINISHED = Counter(
    "atende_transcriptions_finished_total",
    "Messages whose transcription ended, by kind and status (DONE, SKIPPED, FAILED); "
    "retries are not counted until the last.",
    ["kind", "status"],
)
TRANSCRIPTION_SECONDS = Histogram(
    "atende_transcription_duration_seconds",
    "Time to transcribe one media, by kind.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
TRANSCRIPTION_MEDIA_SECONDS = Counter(
    "atende_transcription_media_seconds_total",
    "Seconds of audio and video transcribed, by kind (what the speech model bills).",
    ["kind"],
)
TRANSCRIPTION_MEDIA_BYTES = Counter(
    "atende_transcription_media_bytes_total",
    "Bytes of media transcribed, by kind.",
    ["kind"],
)
OPENAI_REQUESTS = Counter(
    "atende_openai_requests_total",
    "Calls to the OpenAI(-compatible) API, by operation and outcome "
    "(ok, transient_error, permanent_error).",
    ["operation", "outcome"],
)

# --- AI replies and Celery ------------------------------------------------
AI_REPLIES_REFUSED = Counter(
    "atende_ai_replies_refused_total",
    "AI replies (POST /messages, author AI) refused, by reason.",
    ["reason"],
)
CELERY_TASKS = Counter(
    "atende_celery_tasks_total",
    "Celery tasks finished, by task name and state (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
)
CELERY_TASK_SECONDS = Histogram(
    "atende_celery_task_duration_seconds",
    "Celery task runtime, by task name.",
    ["task"],
    buckets=LATENCY_BUCKETS,
)

RETENTION_ROWS_ERASED = Counter(
    "atende_retention_rows_erased_total",
    "Rows whose content the organizations' retention erased, by what (messages, media, "
    "sessions, turns, deliveries, csat_comments).",
    ["kind"],
)
ERASURES = Counter(
    "atende_contact_erasures_total",
    "Contacts erased on request (LGPD), by where the request came from.",
    ["source"],
)


def on_commit_inc(counter, amount: float = 1, **labels) -> None:
    """Count once the caller's transaction commits (at once outside one), so a
    rolled-back write is not counted."""
    transaction.on_commit(lambda: counter.labels(**labels).inc(amount))


# --- scrape-time collectors (registered by the apps) -----------------------
_COLLECTORS: dict[str, Callable[[], Iterable[Metric]]] = {}


def register_collector(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    """``collect`` yields metric families built from the database at scrape time."""
    _COLLECTORS[name] = collect


def gauge(name: str, documentation: str, labels: list[str], rows) -> GaugeMetricFamily:
    """A gauge family from ``(label values…, value)`` rows."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for *label_values, value in rows:
        family.add_metric([str(v) for v in label_values], float(value or 0))
    return family


class _DatabaseCollector(Collector):
    def collect(self):
        for name, collect in _COLLECTORS.items():
            try:
                yield from collect()
            except Exception:  # noqa: BLE001 - one failing query must not blank the scrape
                logger.exception("metrics collector %s failed", name)
                yield gauge(
                    "atende_metrics_collector_up",
                    "Whether a scrape-time collector answered (0: see the logs).",
                    ["collector"],
                    [(name, 0)],
                )


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def render() -> tuple[bytes, str]:
    """The exposition text of every process's counters plus the database gauges."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(_DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _ProcessRegistry(Collector):
    """Without a multiprocess directory: this process's own metrics."""

    def collect(self):
        yield from REGISTRY.collect()
