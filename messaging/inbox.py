"""The webhook inbox: answer the gateway at once, ingest in a worker.

The webhook view does only what decides its HTTP answer (size, instance and
credentials, JSON, the adapter's parse), then stores the body here with one
INSERT and queues ``inbox_process``. The row, not the broker message, is the
durable copy of the webhook:

- ``(instance, body_sha256)`` is unique: a gateway retrying the same bytes
  inserts nothing (the view answers ``duplicate``) while the row is kept
  (``WEBHOOK_INBOX_RETENTION_DAYS``);
- a run first claims the row with a conditional UPDATE (committed, counts
  ``attempts``), so concurrent runs of one row do the work once; then one
  transaction ingests every event and sets ``processed_at`` (conditionally:
  a second run past an expired claim rolls back). A crash anywhere rolls all
  of it back and leaves the row unprocessed;
- the beat sweeper queues rows still unprocessed after
  ``WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS`` (task lost with a flushed Redis, a
  killed worker, or an enqueue that failed in the view). A claim older than
  ``WEBHOOK_INBOX_CLAIM_SECONDS`` (longer than the task's hard time limit)
  belongs to a run that died and is taken over;
- a body the parser refuses at processing time (it parsed in the view, so
  only after a parser change) is marked processed with ``last_error`` and
  never retried; any other failure releases the claim for the sweeper, up to
  ``WEBHOOK_INBOX_MAX_ATTEMPTS`` runs, then the row stays for inspection.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from messaging.ingest import webhook_events_ingest
from messaging.models import WebhookInbox
from providers.base import WebhookPayloadError
from providers.models import Instance
from providers.registry import get_adapter

logger = logging.getLogger(__name__)

PROCESSED = "processed"
SKIPPED = "skipped"  # done already, claimed by a live run, gone, or out of attempts
INVALID = "invalid"

_INSERT = (
    f"INSERT INTO {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "(instance_id, body, body_sha256, received_at, attempts, last_error, result) "
    "VALUES (%s, %s::jsonb, %s, %s, 0, '', '{}'::jsonb) "
    "ON CONFLICT (instance_id, body_sha256) DO NOTHING RETURNING id"
)


def inbox_store(*, instance_id, raw_body: bytes, body_text: str) -> int | None:
    """Store one webhook body; its id, or None when the same bytes are already stored.

    ``body_text`` is the body as JSON text (the raw body decoded): PostgreSQL
    parses it into jsonb, so Python never serializes it again. Runs in
    autocommit (the view has no transaction): the row is committed before
    the task that reads it is queued.
    """
    digest = hashlib.sha256(raw_body).hexdigest()
    if connection.vendor != "postgresql":
        # The embedded SQLite setup: the same rule through the ORM (the
        # statement above is PostgreSQL's; speed matters only there).
        try:
            with transaction.atomic():
                return WebhookInbox.objects.create(
                    instance_id=instance_id,
                    body=json.loads(body_text),
                    body_sha256=digest,
                    received_at=timezone.now(),
                ).pk
        except IntegrityError:
            return None
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [instance_id, body_text, digest, timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


def inbox_enqueue(inbox_id: int) -> bool:
    """Queue the row's processing. A broker failure is logged, not raised:
    the row is stored and the sweeper queues it again."""
    try:
        # No publish retries: the gateway is waiting, and the sweeper retries.
        inbox_process.apply_async((inbox_id,), retry=False)
    except Exception:
        logger.exception("could not queue webhook inbox row %s; the sweeper will", inbox_id)
        return False
    return True


def _claim_lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_INBOX_CLAIM_SECONDS)


def _claimable(now) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _claim_lease())


_CLAIM = (
    f"UPDATE {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "SET claimed_at = %s, attempts = attempts + 1 "
    "WHERE id = %s AND processed_at IS NULL AND attempts < %s "
    "AND (claimed_at IS NULL OR claimed_at < %s) "
    "RETURNING instance_id, body::text"
)


def _claim(inbox_id: int, now) -> tuple | None:
    """(instance id, body as JSON text) of the row this run now owns, or None."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM, [now, inbox_id, settings.WEBHOOK_INBOX_MAX_ATTEMPTS, now - _claim_lease()]
            )
            return cursor.fetchone()
    claimed = (
        WebhookInbox.objects.filter(
            pk=inbox_id,
            processed_at__isnull=True,
            attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
        )
        .filter(_claimable(now))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    instance_id, body = WebhookInbox.objects.values_list("instance_id", "body").get(pk=inbox_id)
    return instance_id, json.dumps(body)


class _AlreadyProcessed(Exception):
    """Another run committed this row first: roll this run's ingest back."""


def inbox_process_row(inbox_id: int) -> str:
    """Ingest one inbox row exactly once. Stale, concurrent and repeated runs do nothing.

    The claim (committed at once, counting the attempt) keeps a second run
    of the same row away while this one works. The ingest and
    ``processed_at`` then commit together; the final UPDATE is conditional,
    so even two runs past an expired claim commit the row once (the later
    one waits on the row lock, finds it processed and rolls back).
    """
    claimed = _claim(inbox_id, timezone.now())
    if claimed is None:
        return SKIPPED
    instance_id, body_text = claimed
    try:
        with transaction.atomic():
            instance = Instance.objects.filter(pk=instance_id).first()
            if instance is None:  # deleted meanwhile (its rows cascade away too)
                return SKIPPED
            events = get_adapter(instance).parse_webhook(json.loads(body_text), {})
            result = webhook_events_ingest(instance=instance, events=events)
            # Same transaction as the ingest: both commit or neither does.
            marked = WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True).update(
                processed_at=timezone.now(),
                claimed_at=None,
                last_error="",
                result=result.as_dict(),
            )
            if not marked:
                raise _AlreadyProcessed()
    except _AlreadyProcessed:
        return SKIPPED
    except WebhookPayloadError as exc:
        # Deterministic: another run would fail the same way.
        WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True).update(
            processed_at=timezone.now(), claimed_at=None, last_error=f"invalid_payload: {exc}"
        )
        logger.error("webhook inbox row %s no longer parses: %s", inbox_id, exc)
        return INVALID
    except Exception as exc:
        WebhookInbox.objects.filter(pk=inbox_id, processed_at__isnull=True).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        attempts = WebhookInbox.objects.filter(pk=inbox_id).values_list("attempts", flat=True)
        if attempts and attempts[0] >= settings.WEBHOOK_INBOX_MAX_ATTEMPTS:
            logger.exception(
                "webhook inbox row %s failed %s times; giving up", inbox_id, attempts[0]
            )
        raise
    return PROCESSED


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def inbox_process(inbox_id: int) -> str:
    return inbox_process_row(inbox_id)


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def inbox_requeue_lost(limit: int = 1000) -> int:
    """Beat: queue again rows left unprocessed (lost task, dead worker, failed enqueue).

    A row merely waiting in a long queue is queued twice; the second run
    finds it claimed or processed and does nothing.
    """
    now = timezone.now()
    stale = timedelta(seconds=settings.WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS)
    ids = list(
        WebhookInbox.objects.filter(
            _claimable(now),
            processed_at__isnull=True,
            received_at__lt=now - stale,
            attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("id", flat=True)[:limit]
    )
    for inbox_id in ids:
        inbox_process.apply_async((inbox_id,))
    if ids:
        logger.warning("queued %s unprocessed webhook inbox rows again", len(ids))
    return len(ids)


@shared_task(ignore_result=True, time_limit=600, soft_time_limit=570)
def inbox_cleanup(batch: int = 5000) -> int:
    """Beat (daily): delete processed rows older than the retention."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_INBOX_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            WebhookInbox.objects.filter(processed_at__lt=cutoff).values_list("id", flat=True)[
                :batch
            ]
        )
        if not ids:
            return deleted
        deleted += WebhookInbox.objects.filter(pk__in=ids).delete()[0]
