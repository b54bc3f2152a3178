"""The webhook inbox row: the durable copy of a webhook, stored by the view
with one INSERT before the gateway gets its answer.

- ``(instance, body_sha256)`` is unique: a gateway retrying the same bytes
  inserts nothing (the view answers ``duplicate``) while the row is kept
  (``WEBHOOK_INBOX_RETENTION_DAYS``);
- ``received_at`` is the arrival time every later step measures on
  (``messaging.inbound.door``): a turn's window is counted on it, however
  late a worker ingests the row;
- each instance's inbox is split into ``WEBHOOK_INBOX_PARTITIONS`` by chat
  (``inbox_partition``: the customer's phone or JID, read at the door), so
  one chat's rows drain in arrival order while other chats drain in parallel.

What follows the INSERT: ``wake`` (one Redis flag per partition instead of
a task per webhook), ``drain`` and ``claim`` (a partition's rows ingested in
arrival order, exactly once), ``watermark`` (what "caught up" means, which
turns ask), ``tasks`` (the drain, the sweeper of stalled partitions, the
cleanup), ``health`` and ``retry`` (for operators).
"""

from __future__ import annotations

import hashlib
import json
import zlib

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from core.db import is_postgresql
from messaging.models import WebhookInbox


def inbox_partition(events) -> int:
    """The partition of a webhook: its chat's. The first event naming a
    remote party decides (a webhook is one chat's in practice), an edit or
    deletion included, so it is ingested behind the message it targets;
    events that name none (connection, QR code, receipts) go to partition 0.

    A phone is keyed on its last eight digits, so the two forms of a
    Brazilian mobile (with and without the ninth digit) share a partition."""
    for event in events:
        key = getattr(event, "phone", None) or getattr(event, "chat_id", "") or ""
        if key:
            if key.isdigit():
                key = key[-8:]
            return zlib.crc32(key.encode()) % settings.WEBHOOK_INBOX_PARTITIONS
    return 0


_INSERT = (
    f"INSERT INTO {WebhookInbox._meta.db_table} "  # noqa: S608 (a model's table name)
    "(instance_id, partition, body, body_sha256, received_at, attempts, last_error, result) "
    "VALUES (%s, %s, %s::jsonb, %s, %s, 0, '', '{}'::jsonb) "
    "ON CONFLICT (instance_id, body_sha256) DO NOTHING RETURNING id"
)


def inbox_store(
    *, instance_id, raw_body: bytes, body_text: str, partition: int = 0, received_at=None
) -> int | None:
    """Store one webhook body; its id, or None when the same bytes are already stored.

    ``body_text`` is the body as JSON text (the raw body decoded): PostgreSQL
    parses it into jsonb, so Python never serializes it again. Runs in
    autocommit (the view has no transaction): the row is committed before
    the task that reads it is queued. ``received_at``: the webhook's
    arrival (``messaging.inbound.door``), now by default.
    """
    received_at = received_at or timezone.now()
    digest = hashlib.sha256(raw_body).hexdigest()
    if not is_postgresql():
        # SQLite: the same rule through the ORM, a savepoint and the unique
        # constraint's IntegrityError. On PostgreSQL the webhook's answer waits
        # on this: one statement, no savepoint, the duplicate a plain no-op
        # (ON CONFLICT DO NOTHING), the body parsed into jsonb by the server
        # (test_webhook_ingest pins the view at two queries).
        try:
            with transaction.atomic():
                return WebhookInbox.objects.create(
                    instance_id=instance_id,
                    partition=partition,
                    body=json.loads(body_text),
                    body_sha256=digest,
                    received_at=received_at,
                ).pk
        except IntegrityError:
            return None
    params = [instance_id, partition, body_text, digest, received_at]
    # The INSERT goes without Django's health check of a kept connection (a
    # SELECT 1 round trip before the first statement of every request,
    # CONN_HEALTH_CHECKS): on a connection the database has dropped since (a
    # restart) the INSERT fails instead, and is tried once more on a new
    # connection. The same bytes: an attempt that did commit makes the
    # second a duplicate, which stores nothing.
    connection.health_check_done = True
    try:
        return _insert(params)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        connection.close()
        return _insert(params)


def _insert(params: list) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, params)
        row = cursor.fetchone()
    return row[0] if row else None
